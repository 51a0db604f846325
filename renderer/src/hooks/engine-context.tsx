/**
 * The engine's live state for the whole UI: status, indexing progress, model download, folders, settings and what
 * the host can do, loaded once and kept current from the API's events.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Api, ResultOf } from '../../../app/api/api-contract.js';
import type { DownloadProgress, EngineStatus, FolderEntry, Progress, Settings } from '../../../app/api/api-types.js';
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

  // Folder counts and index totals change as files are indexed: the engine sends `folders` and `status` events for
  // them (coalesced, and once more when indexing goes idle), so progress events need no refetch here.
  useEffect(() => {
    const offs = [
      api.on('status', (s) => {
        setStatus(s);
        setProgress(s.progress);
      }),
      api.on('progress', setProgress),
      api.on('download', setDownload),
      api.on('folders', setFolders),
    ];
    void refresh();
    return () => {
      offs.forEach((off) => off());
    };
  }, [api, refresh]);

  const value = useMemo<EngineState>(
    () => ({ api, status, progress, download, folders, settings, host, loadError, refresh, setSettings }),
    [api, status, progress, download, folders, settings, host, loadError, refresh],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}
