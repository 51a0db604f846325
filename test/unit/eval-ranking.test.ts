import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SparseVector } from '../../app/encoder/index.js';
import { BruteForceRanker, TieOrder, exactScore } from '../../app/eval/index.js';
import { EvalIndex, emptyIndexRankingStats } from '../../app/eval/index-ranking.js';
import { compareCodePoints } from '../../app/eval/reference-arithmetic.js';

function generator(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/** A random sparse vector over `vocab` terms, weights in (0, 3), quantized to a few levels so that scores tie. */
function randomVector(next: () => number, vocab: number, terms: number, levels = 0): SparseVector {
  const chosen = new Set<number>();
  while (chosen.size < terms) chosen.add(Math.floor(next() * vocab));
  const indices = Int32Array.from([...chosen].sort((a, b) => a - b));
  const values = Float32Array.from(indices, () => (levels > 0 ? (1 + Math.floor(next() * levels)) / levels : 0.01 + next() * 3));
  return { indices, values };
}

const v = (pairs: [number, number][]): SparseVector => ({ indices: Int32Array.from(pairs.map((p) => p[0])), values: Float32Array.from(pairs.map((p) => p[1])) });

describe('eval ranking: the reference order', () => {
  it('orders ties by corpus id in Python string order (code points), and fills with zero scores by id', () => {
    assert.ok(compareCodePoints('\u{1F600}', '\uFF01') > 0, 'an astral character sorts after U+FF01, as in Python');
    assert.ok('\u{1F600}' < '\uFF01', 'while JavaScript < says the opposite');
    const ids = ['b', 'a', '10', '9', '\u{1F600}', '\uFF01', 'z'];
    const docs = [v([[1, 1]]), v([[1, 1]]), v([[1, 1]]), v([[1, 2]]), v([[1, 1]]), v([[1, 1]]), v([[2, 1]])];
    const order = new TieOrder(ids);
    const ranker = new BruteForceRanker(docs, 4, order);
    const ranked = ranker.rank(v([[1, 1]]), 10);
    // '9' scores 2; the ties at 1 follow by id: '10' < 'a' < 'b' < U+FF01 < U+1F600; 'z' shares no term (score 0).
    assert.deepEqual(ranked.docs.map((d) => ids[d]), ['9', '10', 'a', 'b', '\uFF01', '\u{1F600}', 'z']);
    assert.deepEqual(ranked.scores, [2, 1, 1, 1, 1, 1, 0]);
    // Fewer hits than asked only when the corpus is smaller; a depth below the positives cuts by the same order.
    assert.deepEqual(ranker.rank(v([[1, 1]]), 3).docs.map((d) => ids[d]), ['9', '10', 'a']);
    // A query sharing no term: every document scores 0, listed by id.
    assert.deepEqual(ranker.rank(v([[3, 1]]), 4).docs.map((d) => ids[d]), ['10', '9', 'a', 'b']);
  });

  it('scores are float32 dot products summed over ascending term ids', () => {
    const a = v([[0, 0.1], [5, 0.2], [9, 0.3]]);
    const b = v([[0, 0.7], [9, 0.11], [12, 1]]);
    assert.equal(exactScore(a, b), Math.fround(Math.fround(0.1) * Math.fround(0.7) + Math.fround(0.3) * Math.fround(0.11)));
  });

  it('through the index equals brute force, document for document and score for score (random corpora, ties, pool growth, fallback)', async () => {
    const next = generator(7);
    const vocab = 300;
    for (const [docCount, levels, depth, maxPool, outlier] of [
      [400, 0, 10, undefined, false],
      [400, 3, 10, undefined, false],
      [400, 3, 100, undefined, false],
      [900, 2, 5, undefined, false],
      [300, 2, 50, 60, false],
      // One weight of 100 sets the index's impact step to 0.39: the 8-bit scores then misorder most documents.
      [600, 0, 10, undefined, true],
    ] as const) {
      const docs = Array.from({ length: docCount }, () => randomVector(next, vocab, 5 + Math.floor(next() * 40), levels));
      if (outlier) docs[docCount - 30]!.values[0] = 100;
      // Duplicates: equal scores that only the id order separates.
      for (let i = 0; i < 20; i++) docs[docCount - 1 - i] = docs[i]!;
      const ids = docs.map((_, i) => `doc-${(i * 7919) % docCount}`);
      const order = new TieOrder(ids);
      const brute = new BruteForceRanker(docs, vocab, order);
      const index = await EvalIndex.build(docs, vocab, maxPool === undefined ? {} : { maxPool });
      const stats = emptyIndexRankingStats();
      try {
        for (let q = 0; q < 25; q++) {
          const query = randomVector(next, vocab, 3 + Math.floor(next() * 30), levels);
          const expected = brute.rank(query, depth);
          assert.deepEqual(index.rank(query, depth, 'exact', order, brute, stats), expected, `corpus ${docCount}/${levels}, depth ${depth}, query ${q}`);
          const approximate = index.rank(query, depth, 'approximate', order, brute, emptyIndexRankingStats());
          assert.equal(approximate.docs.length, expected.docs.length);
        }
      } finally {
        await index.close();
      }
      if (maxPool !== undefined) assert.ok(stats.bruteForceFallbacks > 0, 'a capped pool falls back to brute force');
      else assert.ok(stats.searches >= 25);
    }
  });

  it('grows the candidate pool while ties at the cut cannot be decided from the 8-bit scores', async () => {
    const next = generator(11);
    // Every document has term 0 at weight 1: the query [0] ties them all, and only their ids order them.
    const docs = Array.from({ length: 900 }, () => {
      const extra = randomVector(next, 299, 10);
      return { indices: Int32Array.from([0, ...Array.from(extra.indices, (t) => t + 1)]), values: Float32Array.from([1, ...extra.values]) };
    });
    const ids = docs.map((_, i) => `d${(i * 7) % 900}`);
    const order = new TieOrder(ids);
    const brute = new BruteForceRanker(docs, 300, order);
    const index = await EvalIndex.build(docs, 300);
    const stats = emptyIndexRankingStats();
    try {
      const ranked = index.rank(v([[0, 1]]), 5, 'exact', order, brute, stats);
      assert.deepEqual(ranked.docs.map((d) => ids[d]), ['d0', 'd1', 'd10', 'd100', 'd101']);
      assert.deepEqual(ranked, brute.rank(v([[0, 1]]), 5));
      assert.ok(stats.searches > 1, `${stats.searches} searches`);
    } finally {
      await index.close();
    }
  });

  it('finds the exact best document even when the 8-bit scores rank it below the first pool', async () => {
    // A weight of 255 makes the impact step 1.0: 60 decoys scoring 4.4 are stored as 4, the target's three 1.49s
    // (4.47) as 1 + 1 + 1: the 8-bit scores put the target 61st, and the 50 candidates' lowest 8-bit score (4) is
    // below the best exact one (4.4), so only the error bound shows that the pool must grow.
    const docs = [v([[0, 255]]), ...Array.from({ length: 60 }, () => v([[1, 4.4]])), v([[1, 1.49], [2, 1.49], [3, 1.49]])];
    const ids = docs.map((_, i) => `d${String(i).padStart(2, '0')}`);
    const order = new TieOrder(ids);
    const brute = new BruteForceRanker(docs, 4, order);
    const index = await EvalIndex.build(docs, 4);
    try {
      const query = v([[1, 1], [2, 1], [3, 1]]);
      const ranked = index.rank(query, 1, 'exact', order, brute, emptyIndexRankingStats());
      const f = Math.fround(1.49);
      assert.deepEqual(ranked, { docs: [61], scores: [Math.fround(f + f + f)] });
      assert.deepEqual(ranked, brute.rank(query, 1));
    } finally {
      await index.close();
    }
  });
});
