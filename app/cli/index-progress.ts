/** The indexing progress line of `index` and `watch`: one redrawn bar on a terminal (stderr), nothing otherwise; and the end-of-run summary. */
import type { Engine, ListFilesResponse, Progress } from '../engine/index.js';

/** Redraws `[####----] 120/300 files  45.1 passages/s  ETA 12 s  <file>` on a TTY; returns the listener and a function that clears the line. */
export function progressLine(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }): { listener: (progress: Progress) => void; end: () => void } {
  if (!stream.isTTY) return { listener: () => undefined, end: () => undefined };
  let drawn = false;
  let last = 0;
  return {
    listener: (progress) => {
      const now = Date.now();
      if (now - last < 100 && progress.phase === 'indexing') return;
      last = now;
      const total = progress.done + progress.queued;
      const fraction = total > 0 ? progress.done / total : 0;
      const bar = `[${'#'.repeat(Math.round(fraction * 20)).padEnd(20, '-')}]`;
      const parts = [
        progress.phase === 'indexing' ? bar : progress.phase,
        `${progress.done}/${total} files`,
        progress.passagesPerSecond > 0 ? `${progress.passagesPerSecond.toFixed(1)} passages/s` : '',
        progress.etaSeconds !== null ? `ETA ${Math.ceil(progress.etaSeconds)} s` : '',
        progress.currentFile ?? '',
      ].filter(Boolean);
      stream.write(`\r\x1b[K${parts.join('  ').slice(0, (stream.columns ?? 80) - 1)}`);
      drawn = true;
    },
    end: () => {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

export interface IndexSummary {
  dataDir: string;
  model: string;
  folders: string[];
  files: { indexed: number; skipped: number; failed: number; pending: number; unavailable: number };
  /** Per status, the number of files for each reason code. */
  reasons: { skipped: Record<string, number>; failed: Record<string, number> };
  passages: number;
  /** What this run did. */
  run: { indexed: number; skipped: number; failed: number; seconds: number };
}

/** The state of the given folders' files after a run, with counts per reason. */
export async function summarize(engine: Engine, folders: string[], startedMs: number): Promise<IndexSummary> {
  const status = await engine.status({});
  const reasons = { skipped: {} as Record<string, number>, failed: {} as Record<string, number> };
  const files = { indexed: 0, skipped: 0, failed: 0, pending: 0, unavailable: 0 };
  for (const folder of folders) {
    for (const state of ['indexed', 'skipped', 'failed', 'pending', 'unavailable'] as const) {
      const listed: ListFilesResponse = await engine.listFiles({ status: state, folder, limit: 10_000 });
      files[state] += listed.total;
      if (state === 'skipped' || state === 'failed') {
        for (const file of listed.files) {
          const code = file.reasonCode ?? 'other';
          reasons[state][code] = (reasons[state][code] ?? 0) + 1;
        }
      }
    }
  }
  const totals = engine.indexingTotals;
  return {
    dataDir: status.dataDir,
    model: status.model.name,
    folders,
    files,
    reasons,
    passages: status.index.passages,
    run: { indexed: totals.indexed, skipped: totals.skipped, failed: totals.failed, seconds: (Date.now() - startedMs) / 1000 },
  };
}

export function summaryText(summary: IndexSummary): string {
  const reasonText = (counts: Record<string, number>) => {
    const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
    return entries.length > 0 ? ` (${entries.map(([code, n]) => `${n} ${code}`).join(', ')})` : '';
  };
  const { files } = summary;
  return [
    `indexed ${files.indexed} files, skipped ${files.skipped}${reasonText(summary.reasons.skipped)}, failed ${files.failed}${reasonText(summary.reasons.failed)}` +
      (files.pending > 0 ? `, ${files.pending} still pending` : '') +
      (files.unavailable > 0 ? `, ${files.unavailable} unavailable` : ''),
    `this run: ${summary.run.indexed} indexed, ${summary.run.skipped} skipped, ${summary.run.failed} failed in ${summary.run.seconds.toFixed(1)} s; ${summary.passages} passages in the index (${summary.dataDir})`,
    ...(files.failed > 0 ? ['`splade-search files --status failed` lists the failed files with their reasons'] : []),
  ].join('\n');
}
