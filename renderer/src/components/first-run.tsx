/**
 * The model screen shown until the model is ready: the download's progress (bytes, rate, ETA), or, when it cannot
 * be fetched (offline, not cached, failed), what to do instead — retry, or point at a local model folder.
 */
import { useState, type FormEvent } from 'react';
import { useEngine } from '../hooks/engine-context.js';
import { errorText } from '../lib/error-text.js';
import { formatBytes, formatEta, formatRate } from '../lib/format.js';

export function FirstRun() {
  const { api, status, download, setSettings, refresh } = useEngine();
  const [folder, setFolder] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (!status) return null;
  const model = status.model;
  // 'missing' is not a failure: the model was never fetched; its error says where it was looked for.
  const failed = download?.error ?? (model.state === 'missing' ? null : model.error);
  const missingWhy = model.state === 'missing' && !failed ? model.error : null;
  const downloading = model.state === 'downloading' || (download !== null && !download.done && !download.error);

  const retry = async () => {
    setError(null);
    try {
      await api.downloadModel({});
      await refresh();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const useFolder = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      setSettings(await api.setSettings({ model: folder.trim() }));
      await refresh();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <section className="first-run" aria-labelledby="first-run-title">
      {downloading && download ? (
        <>
          <h2 id="first-run-title">Downloading the model</h2>
          <p>{download.model}{download.file ? ` — ${download.file}` : ''}</p>
          <progress aria-label="Model download" max={download.totalBytes ?? undefined} value={download.totalBytes ? download.bytes : undefined} />
          <p className="download-figures">
            {formatBytes(download.bytes)}{download.totalBytes ? ` of ${formatBytes(download.totalBytes)}` : ''} · {formatRate(download.bytesPerSecond)} · ETA {formatEta(download.etaSeconds)}
          </p>
          <p className="muted small">This happens once; the model is kept in the Hugging Face cache and works offline afterwards.</p>
        </>
      ) : model.state === 'loading' ? (
        <>
          <h2 id="first-run-title">Loading the model</h2>
          <progress aria-label="Loading the model" />
          <p className="muted small">{model.name}</p>
        </>
      ) : (
        <>
          <h2 id="first-run-title">{failed ? 'The model could not be loaded' : 'The model is not downloaded yet'}</h2>
          <p>Search needs the SPLADE model <code>{model.name}</code>{failed ? ':' : ', which is fetched once from Hugging Face.'}</p>
          {failed && <p className="error-text" role="alert">{failed.message} <span className="muted">({failed.code})</span></p>}
          {missingWhy && <p className="muted small">{missingWhy.message}</p>}
          <ul className="what-to-do">
            <li>Connected to the internet? <button type="button" onClick={() => void retry()}>{failed ? 'Try the download again' : 'Download the model'}</button></li>
            <li>Offline? Run <code>splade-search download</code> on a machine with access and copy the Hugging Face cache (<code>~/.cache/huggingface/hub</code>) here, or use a model folder you already have:</li>
          </ul>
          <form className="row" onSubmit={(e) => void useFolder(e)} aria-label="Use a local model folder">
            <label className="field grow">
              Local model folder
              <input type="text" value={folder} onChange={(e) => setFolder(e.target.value)} placeholder="/path/to/splade-model" spellCheck={false} />
            </label>
            <button type="submit" disabled={folder.trim() === ''}>Use this folder</button>
          </form>
          <p className="muted small">Browsing already indexed documents works without the model.</p>
        </>
      )}
      {error && <p className="error-text" role="alert">{error}</p>}
    </section>
  );
}
