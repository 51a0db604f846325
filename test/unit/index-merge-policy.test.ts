import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findMerges, forcedMerges, mergeLane, mergesToStart, DEFAULT_MERGE_POLICY } from '../../app/index/merge/merge-policy.js';

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

describe('merge policy: a writer that commits steadily', () => {
  it('merges a tier that piled up in one merge, up to maxMergeAtOnce', () => {
    const small = Array.from({ length: 20 }, (_, i) => seg(`s${String(i).padStart(2, '0')}`, 100));
    const merges = findMerges(small, { ...DEFAULT_MERGE_POLICY, maxSegments: 100 });
    assert.equal(merges[0]!.length, DEFAULT_MERGE_POLICY.maxMergeAtOnce);
  });

  it('merges the smallest segments when more than maxSegments would remain', () => {
    const policy = { ...DEFAULT_MERGE_POLICY, mergeFactor: 8, minSegmentDocs: 10, maxSegments: 6 };
    // 7 segments in 7 different tiers: no tier merge, but one too many.
    const segments = [10, 100, 1000, 10_000, 100_000, 1_000_000, 3_000_000].map((docs, i) => seg(`t${i}`, docs));
    assert.deepEqual(findMerges(segments, policy), [['t0', 't1']]);
    assert.deepEqual(findMerges(segments.slice(0, 6), policy), []);
  });

  it('counts running merges as the one segment each will become', () => {
    const policy = { ...DEFAULT_MERGE_POLICY, maxSegments: 6 };
    const segments = Array.from({ length: 9 }, (_, i) => seg(`m${i}`, 5000 * (i + 1) ** 3));
    const running = [['m6', 'm7', 'm8']];
    // 9 segments, 3 of them merging into 1: 7 remain, so the 2 smallest free ones are merged.
    assert.deepEqual(findMerges(segments, policy, new Set(running[0]), running), [['m0', 'm1']]);
  });

  it('puts merges of small segments in their own lane', () => {
    assert.equal(mergeLane(DEFAULT_MERGE_POLICY.mergeFactor * DEFAULT_MERGE_POLICY.minSegmentDocs), 'small');
    assert.equal(mergeLane(DEFAULT_MERGE_POLICY.mergeFactor * DEFAULT_MERGE_POLICY.minSegmentDocs + 1), 'large');
  });
});

describe('merge policy: what starts now', () => {
  const policy = { ...DEFAULT_MERGE_POLICY, mergeFactor: 4, minSegmentDocs: 8 };
  const segments = [seg('a', 4), seg('b', 4), seg('c', 4), seg('d', 16), seg('e', 16), seg('f', 16), seg('x', 3, 3)];

  it('starts one group per free lane, and merges without live docs always', () => {
    assert.deepEqual(mergesToStart([['a', 'b'], ['c', 'd'], ['x']], segments, new Set(), policy), [['a', 'b'], ['x']]);
    assert.deepEqual(mergesToStart([['d', 'e', 'f']], segments, new Set(), policy), [['d', 'e', 'f']]);
    assert.deepEqual(mergesToStart([['a', 'b']], segments, new Set(['small']), policy), []);
  });

  it('while the large lane is busy, merges the smallest segments of a large group in the small lane', () => {
    // a..f hold 60 live docs: a large merge. With the large lane busy, a, b, c and d (28 docs) fit the small lane.
    assert.deepEqual(mergesToStart([['f', 'e', 'd', 'c', 'b', 'a']], segments, new Set(['large']), policy), [['a', 'b', 'c', 'd']]);
    assert.deepEqual(mergesToStart([['f', 'e', 'd']], segments, new Set(['large']), policy), [['d', 'e']]);
    assert.deepEqual(mergesToStart([['f', 'e', 'd']], segments, new Set(['large', 'small']), policy), []);
  });
});
