import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { carryOverTombstones } from '../../app/index/merge/tombstone-carry.js';
import { bitmapFor, isDeleted, setDeleted } from '../../app/index/snapshot.js';

function bitmap(docCount: number, deleted: number[]): Uint8Array {
  const bits = bitmapFor(docCount);
  for (const doc of deleted) setDeleted(bits, doc);
  return bits;
}

function deletedDocs(bits: Uint8Array, docCount: number): number[] {
  return Array.from({ length: docCount }, (_, doc) => doc).filter((doc) => isDeleted(bits, doc));
}

describe('tombstone carry-over at a merge swap', () => {
  // Input A: 9 docs (two bitmap bytes), doc 1 already deleted when the merge started; input B: 3 docs, none.
  const a = [10, 11, 12, 13, 14, 15, 16, 17, 18];
  const b = [20, 21, 22];
  // The merged output holds every doc live at the start, reordered: pid → local doc.
  const outputPids = [22, 18, 10, 13, 20, 12, 14, 15, 16, 17, 21];
  const outputDocOf = (pid: number) => outputPids.indexOf(pid);

  it('deletes in the output exactly the docs deleted after the merge started', () => {
    const deleted = carryOverTombstones(
      [
        { pids: a, before: bitmap(9, [1]), now: bitmap(9, [1, 3, 8]) },
        { pids: b, before: null, now: bitmap(3, [2]) },
      ],
      outputPids.length,
      outputDocOf,
    );
    // pid 13 (A doc 3), pid 18 (A doc 8), pid 22 (B doc 2); pid 11 was deleted before and is not in the output.
    assert.deepEqual(deletedDocs(deleted, outputPids.length), [outputDocOf(22), outputDocOf(18), outputDocOf(13)].sort((x, y) => x - y));
  });

  it('carries nothing when no input changed, and skips passages the output lacks', () => {
    const unchanged = carryOverTombstones([{ pids: a, before: bitmap(9, [1]), now: bitmap(9, [1]) }, { pids: b, before: null, now: undefined }], outputPids.length, outputDocOf);
    assert.deepEqual(deletedDocs(unchanged, outputPids.length), []);
    const lacking = carryOverTombstones([{ pids: [99, 20], before: null, now: bitmap(2, [0]) }], outputPids.length, outputDocOf);
    assert.deepEqual(deletedDocs(lacking, outputPids.length), []);
  });
});
