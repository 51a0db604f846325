/**
 * The engine's live state for the whole UI: status, indexing progress, model download, folders, settings and what
 * the host can do, loaded once and kept current from the API's events.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Api, ResultOf } from '../../../app/api/api-contract.js';
import type { DownloadProgress, EngineStatus, FolderEntry, Progress, Settings } from '../../../app/engine/engine-types.js';
import { errorText } from '../lib/error-text.js';

export type HostInfo = ResultOf<'hostInfo'>;

export interface EngineState {
  api: Api;
  status: EngineStatus | null;
  progress: Progress | null;
  download: DownloadProgress | null;
  folders: FolderEntry[] | null;
  settings: Settings | null;
  host: HostInfo | null;
  /** Why the first load failed, else null. */
  loadError: string | null;
  refresh(): Promise<void>;
  setSettings(settings: Settings): void;
}

const Context = createContext<EngineState | null>(null);

export function useEngine(): EngineState {
  const state = useContext(Context);
  if (!state) throw new Error('useEngine outside EngineProvider');
  return state;
}

export function EngineProvider({ api, children }: { api: Api; children: ReactNode }) {
  const [status, setStatus] = useState<EngineStatus | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [download, setDownload] = useState<DownloadProgress | null>(null);
  const [folders, setFolders] = useState<FolderEntry[] | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [host, setHost] = useState<HostInfo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const [s, f, st, h] = await Promise.all([api.status({}), api.listFolders({}), api.getSettings({}), api.hostInfo({})]);
      setStatus(s);
      setProgress(s.progress);
      setFolders(f);
      setSettings(st);
      setHost(h);
      setLoadError(null);
    } catch (error) {
      setLoadError(errorText(error));
    }
  }, [api]);

  // Folder counts and index totals change as files are indexed: refetch them while progress events come (at most
  // once a second) and once when indexing goes idle, whatever other events the engine sends.
  const countsTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refreshCounts = useCallback(async () => {
    try {
      const [s, f] = await Promise.all([api.status({}), api.listFolders({})]);
      setStatus(s);
      setFolders(f);
    } catch {
      // The next event or refresh tries again; a failed call is shown where the user acts.
    }
  }, [api]);
  const onProgress = useCallback((p: Progress) => {
    setProgress(p);
    if (p.phase === 'idle') {
      if (countsTimer.current) clearTimeout(countsTimer.current);
      countsTimer.current = null;
      void refreshCounts();
    } else if (!countsTimer.current) {
      countsTimer.current = setTimeout(() => {
        countsTimer.current = null;
        void refreshCounts();
      }, 1000);
    }
  }, [refreshCounts]);

  useEffect(() => {
    const offs = [
      api.on('status', (s) => {
        setStatus(s);
        setProgress(s.progress);
      }),
      api.on('progress', onProgress),
      api.on('download', setDownload),
      api.on('folders', setFolders),
    ];
    void refresh();
    return () => {
      offs.forEach((off) => off());
      if (countsTimer.current) clearTimeout(countsTimer.current);
    };
  }, [api, refresh, onProgress]);

  const value = useMemo<EngineState>(
    () => ({ api, status, progress, download, folders, settings, host, loadError, refresh, setSettings }),
    [api, status, progress, download, folders, settings, host, loadError, refresh],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}
