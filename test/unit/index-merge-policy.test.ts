import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findMerges, forcedMerges, DEFAULT_MERGE_POLICY } from '../../app/index/merge/merge-policy.js';

const seg = (name: string, docCount: number, deletedCount = 0) => ({ name, docCount, deletedCount });

describe('merge policy', () => {
  it('merges a full tier of small segments and leaves a partial tier alone', () => {
    const small = Array.from({ length: 8 }, (_, i) => seg(`s${i}`, 100 + i));
    assert.deepEqual(findMerges(small), [small.map((s) => s.name)]);
    assert.deepEqual(findMerges(small.slice(0, 7)), []);
  });

  it('keeps tiers apart and skips busy segments', () => {
    const segments = [...Array.from({ length: 8 }, (_, i) => seg(`a${i}`, 1000)), ...Array.from({ length: 3 }, (_, i) => seg(`b${i}`, 500_000))];
    assert.deepEqual(findMerges(segments), [segments.slice(0, 8).map((s) => s.name)]);
    assert.deepEqual(findMerges(segments, DEFAULT_MERGE_POLICY, new Set(['a0'])), []);
  });

  it('rewrites a segment with too many tombstones, and drops nothing else', () => {
    assert.deepEqual(findMerges([seg('x', 1000, 300), seg('y', 1000, 100)]), [['x']]);
  });

  it('never exceeds maxSegmentDocs', () => {
    const big = Array.from({ length: 8 }, (_, i) => seg(`g${i}`, 1_000_000));
    const merges = findMerges(big, { ...DEFAULT_MERGE_POLICY, maxSegmentDocs: 2_500_000 });
    for (const group of merges) assert.ok(group.length <= 2, JSON.stringify(merges));
  });

  it('force-merge brings the count down and cleans tombstones', () => {
    assert.deepEqual(forcedMerges([seg('a', 10), seg('b', 30), seg('c', 20)], 1), [['a', 'c', 'b']]);
    assert.deepEqual(forcedMerges([seg('a', 10), seg('b', 30), seg('c', 20)], 2), [['a', 'c']]);
    assert.deepEqual(forcedMerges([seg('a', 10, 2)], 1), [['a']]);
    assert.deepEqual(forcedMerges([seg('a', 10)], 1), []);
  });
});
