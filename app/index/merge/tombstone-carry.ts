/**
 * Deletes that land on a merge's inputs while the merge runs must not be lost when the merged segment replaces
 * them: the merge copied every doc live at its start, so each doc deleted since then is deleted again in the
 * output, found by its passage id. A pure function of bitmaps and ids (no I/O), tested as such.
 */
import { bitmapFor, setDeleted } from '../snapshot.js';

export interface MergedInput {
  /** Passage id of each local doc of the input segment. */
  pids: ArrayLike<number>;
  /** Tombstones of the input when the merge started (null: none). */
  before: Uint8Array | null;
  /** Tombstones of the input now, committed or staged (null/undefined: none). */
  now: Uint8Array | null | undefined;
}

/**
 * The tombstones of the merged segment (`outputDocCount` docs): the docs of `inputs` deleted after the merge
 * started, mapped through `outputDocOf` (passage id → local doc of the output, -1 when the output lacks it).
 */
export function carryOverTombstones(inputs: readonly MergedInput[], outputDocCount: number, outputDocOf: (pid: number) => number): Uint8Array {
  const deleted = bitmapFor(outputDocCount);
  for (const { pids, before, now } of inputs) {
    if (!now) continue;
    for (let byte = 0; byte < now.length; byte++) {
      const fresh = now[byte]! & ~(before ? before[byte]! : 0);
      if (fresh === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        if ((fresh & (1 << bit)) === 0) continue;
        const doc = outputDocOf(pids[byte * 8 + bit]!);
        if (doc >= 0) setDeleted(deleted, doc);
      }
    }
  }
  return deleted;
}
