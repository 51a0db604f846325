/**
 * Merge worker thread: runs merges (segment-merger.ts) off the main thread, one job at a time, for as long as the
 * writer keeps it. It is started once per merge lane and reused, so a merge costs no thread start-up (tens of ms
 * compiled, a second or more from TypeScript sources) and small merges keep up with frequent commits.
 */
import { parentPort } from 'node:worker_threads';
import { mergeSegments, type MergeJob } from './segment-merger.js';

export interface MergeRequest {
  id: number;
  job: MergeJob;
}

export type MergeWorkerResult =
  | { ok: true; meta: import('../segment/segment-format.js').SegmentMeta; byteSize: number }
  | { ok: false; message: string; code?: string; file?: string; segment?: string };

export interface MergeResponse {
  id: number;
  result: MergeWorkerResult;
}

parentPort!.on('message', ({ id, job }: MergeRequest) => {
  let result: MergeWorkerResult;
  try {
    const { meta, byteSize } = mergeSegments(job);
    result = { ok: true, meta, byteSize };
  } catch (error) {
    const err = error as { message?: string; code?: string; file?: string; segment?: string };
    result = { ok: false, message: err?.message ?? String(error), code: err?.code, file: err?.file, segment: err?.segment };
  }
  parentPort!.postMessage({ id, result } satisfies MergeResponse);
});
