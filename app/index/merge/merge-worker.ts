/** Worker thread entry: runs one merge (segment-merger.ts) off the main thread and posts the result back. */
import { parentPort, workerData } from 'node:worker_threads';
import { mergeSegments, type MergeJob } from './segment-merger.js';

export type MergeWorkerResult =
  | { ok: true; meta: import('../segment/segment-format.js').SegmentMeta; byteSize: number }
  | { ok: false; message: string; code?: string; file?: string; segment?: string };

const job = workerData as MergeJob;
let result: MergeWorkerResult;
try {
  const { meta, byteSize } = mergeSegments(job);
  result = { ok: true, meta, byteSize };
} catch (error) {
  const err = error as { message?: string; code?: string; file?: string; segment?: string };
  result = { ok: false, message: err?.message ?? String(error), code: err?.code, file: err?.file, segment: err?.segment };
}
parentPort!.postMessage(result);
