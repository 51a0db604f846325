/** Indexing progress with ETA while files are scanned or indexed, with pause/resume of all indexing. */
import { useEngine } from '../hooks/engine-context.js';
import { formatEta } from '../lib/format.js';
import { errorText } from '../lib/error-text.js';
import { useNotify } from '../hooks/notice-context.js';

const ACTIVE = new Set(['scanning', 'indexing', 'reindexing', 'paused', 'loading-model', 'error']);

export function ProgressBar() {
  const { api, progress } = useEngine();
  const notify = useNotify();
  if (!progress || !ACTIVE.has(progress.phase)) {
    return <p className="progress-idle muted small" role="status" aria-label="Indexing status">{progress ? 'Index up to date' : ''}</p>;
  }
  const total = progress.done + progress.queued;
  const toggle = async () => {
    try {
      await (progress.phase === 'paused' ? api.resumeIndexing({}) : api.pauseIndexing({}));
    } catch (e) {
      notify({ kind: 'error', text: errorText(e) });
    }
  };
  const label =
    progress.phase === 'error' ? `Indexing stopped: ${progress.message ?? 'an error occurred'}`
    : progress.phase === 'loading-model' ? 'Loading the model…'
    : progress.phase === 'scanning' ? `Scanning folders… ${progress.queued} files found`
    : progress.phase === 'paused' ? `Indexing paused: ${progress.done} of ${total} files done`
    : `${progress.phase === 'reindexing' ? 'Re-indexing' : 'Indexing'} ${progress.done} of ${total} files · ${progress.passagesPerSecond.toFixed(0)} passages/s · ETA ${formatEta(progress.etaSeconds)}`;
  return (
    <div className={`progress progress-${progress.phase}`} role="status" aria-label="Indexing status">
      <progress aria-label="Indexing progress" max={Math.max(1, total)} value={progress.phase === 'scanning' || progress.phase === 'loading-model' ? undefined : progress.done} />
      <span className="progress-text">{label}</span>
      {progress.currentFile && progress.phase === 'indexing' && <span className="progress-file muted small" title={progress.currentFile}>{progress.currentFile}</span>}
      {(progress.phase === 'indexing' || progress.phase === 'reindexing' || progress.phase === 'scanning' || progress.phase === 'paused') && (
        <button type="button" className="small" onClick={() => void toggle()}>{progress.phase === 'paused' ? 'Resume indexing' : 'Pause indexing'}</button>
      )}
    </div>
  );
}
