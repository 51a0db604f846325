/** The watched folders: add (native picker in Electron, a path field everywhere), pause/resume, re-index, remove, and the counts and reasons. */
import { useState, type FormEvent } from 'react';
import type { FileEntry, FolderEntry } from '../../../app/api/api-types.js';
import { useEngine } from '../hooks/engine-context.js';
import { useNotify } from '../hooks/notice-context.js';
import { errorText } from '../lib/error-text.js';
import { formatDate } from '../lib/format.js';
import { StateMessage } from './state-message.js';

export function FoldersView() {
  const { api, folders, host, refresh } = useEngine();
  const notify = useNotify();
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (folder: string) => {
    setBusy(true);
    setError(null);
    try {
      await api.addFolder({ path: folder });
      setPath('');
      notify({ kind: 'info', text: `Added ${folder}; indexing started` });
      await refresh();
    } catch (e) {
      setError(errorText(e));
    }
    setBusy(false);
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (path.trim() !== '') void add(path.trim());
  };
  const pick = async () => {
    try {
      const { path: picked } = await api.pickFolder({});
      if (picked) await add(picked);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div className="folders-view">
      <form className="add-folder" onSubmit={onSubmit} aria-label="Add a folder">
        <h2>Add a folder</h2>
        <div className="row">
          {host?.canPickFolder && <button type="button" onClick={() => void pick()} disabled={busy}>Choose folder…</button>}
          <label className="field grow">
            Folder path
            <input type="text" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/home/me/Documents" spellCheck={false} aria-describedby="add-folder-hint" />
          </label>
          <button type="submit" disabled={busy || path.trim() === ''}>Add folder</button>
        </div>
        <p id="add-folder-hint" className="muted small">Its text, Markdown, PDF and Word files are indexed and kept up to date as they change. Ignore rules (.gitignore, Settings) apply.</p>
        {error && <p className="error-text" role="alert">{error}</p>}
      </form>
      {folders === null ? (
        <StateMessage kind="loading" title="Loading folders…" />
      ) : folders.length === 0 ? (
        <StateMessage kind="empty" title="No folders yet"><p>Add a folder above to start indexing.</p></StateMessage>
      ) : (
        <ul className="folder-list" aria-label="Folders">
          {folders.map((f) => <FolderItem key={f.path} folder={f} />)}
        </ul>
      )}
    </div>
  );
}

function FolderItem({ folder }: { folder: FolderEntry }) {
  const { api, refresh } = useEngine();
  const notify = useNotify();
  const [confirming, setConfirming] = useState(false);
  const [problems, setProblems] = useState<FileEntry[] | null>(null);
  const c = folder.counts;

  const act = async (name: string, fn: () => Promise<unknown>, done: string) => {
    try {
      await fn();
      notify({ kind: 'info', text: done });
      await refresh();
    } catch (e) {
      notify({ kind: 'error', text: `${name} failed: ${errorText(e)}` });
    }
  };
  const loadProblems = async () => {
    if (problems) {
      setProblems(null);
      return;
    }
    const [skipped, failed] = await Promise.all([
      api.listFiles({ folder: folder.path, status: 'skipped', limit: 200 }),
      api.listFiles({ folder: folder.path, status: 'failed', limit: 200 }),
    ]);
    setProblems([...failed.files, ...skipped.files]);
  };

  return (
    <li className="folder" aria-label={folder.path}>
      <div className="folder-head">
        <span className="folder-path">{folder.path}</span>
        <span className={`badge ${folder.paused ? 'badge-paused' : folder.available ? 'badge-ok' : 'badge-warn'}`}>
          {folder.paused ? 'paused' : !folder.available ? 'unavailable' : folder.watching === 'polling' ? 'watching (polling)' : 'watching'}
        </span>
      </div>
      <p className="counts">
        <span><strong>{c.indexed}</strong> indexed</span>
        <span><strong>{c.pending}</strong> pending</span>
        <span><strong>{c.skipped}</strong> skipped</span>
        <span><strong>{c.failed}</strong> failed</span>
        {c.unavailable > 0 && <span><strong>{c.unavailable}</strong> unavailable</span>}
        <span className="muted">added {formatDate(folder.addedMs)}</span>
      </p>
      {folder.warning && <p className="warning">{folder.warning}</p>}
      <div className="actions">
        {folder.paused ? (
          <button type="button" onClick={() => void act('Resume', () => api.resumeFolder({ path: folder.path }), `Resumed ${folder.path}`)}>Resume<span className="visually-hidden"> {folder.path}</span></button>
        ) : (
          <button type="button" onClick={() => void act('Pause', () => api.pauseFolder({ path: folder.path }), `Paused ${folder.path}`)}>Pause<span className="visually-hidden"> {folder.path}</span></button>
        )}
        <button type="button" onClick={() => void act('Re-index', () => api.reindexFolder({ path: folder.path }), `Re-indexing ${folder.path}`)}>Re-index<span className="visually-hidden"> {folder.path}</span></button>
        {(c.skipped > 0 || c.failed > 0) && (
          <button type="button" aria-expanded={problems !== null} onClick={() => void loadProblems()}>
            {problems ? 'Hide' : 'Show'} skipped and failed<span className="visually-hidden"> files of {folder.path}</span>
          </button>
        )}
        {confirming ? (
          <>
            <button type="button" className="danger" autoFocus onClick={() => void act('Remove', () => api.removeFolder({ path: folder.path }), `Removed ${folder.path} and its files from the index`)}>
              Confirm remove<span className="visually-hidden"> {folder.path}</span>
            </button>
            <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
          </>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>Remove<span className="visually-hidden"> {folder.path}</span></button>
        )}
      </div>
      {problems && (
        <table className="problems" aria-label={`Skipped and failed files of ${folder.path}`}>
          <thead><tr><th scope="col">file</th><th scope="col">status</th><th scope="col">reason</th></tr></thead>
          <tbody>
            {problems.map((p) => (
              <tr key={p.path}><td>{p.path.slice(folder.path.length + 1)}</td><td>{p.status}</td><td>{p.reason ?? p.reasonCode ?? ''}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </li>
  );
}
