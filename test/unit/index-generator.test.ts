import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sparseDot, validateSparseVector } from '../../app/index/index.js';
import { SpladeLikeGenerator } from '../../app/index/bench/index.js';

describe('SpladeLikeGenerator', () => {
  const generator = new SpladeLikeGenerator({ seed: 42 });

  it('is deterministic per seed and document number, and differs across seeds', () => {
    const again = new SpladeLikeGenerator({ seed: 42 });
    assert.deepEqual(generator.document(17), again.document(17));
    assert.deepEqual(generator.query(3, 1000), again.query(3, 1000));
    const other = new SpladeLikeGenerator({ seed: 43 }).document(17);
    assert.notDeepEqual(Array.from(other.indices), Array.from(generator.document(17).indices));
  });

  it('makes valid documents of 100-700 terms and queries of 20-300 terms', () => {
    for (let i = 0; i < 200; i++) {
      const doc = generator.document(i);
      validateSparseVector(doc, 30522, `doc ${i}`);
      assert.ok(doc.indices.length >= 100 && doc.indices.length <= 700, `doc ${i} has ${doc.indices.length} terms`);
      const { vector } = generator.query(i, 1000);
      validateSparseVector(vector, 30522, `query ${i}`);
      assert.ok(vector.indices.length >= 20 && vector.indices.length <= 300, `query ${i} has ${vector.indices.length} terms`);
    }
  });

  it('draws terms with Zipf-like document frequencies and log-normal weights', () => {
    const df = new Uint32Array(30522);
    const weights: number[] = [];
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const doc = generator.document(i);
      for (const term of doc.indices) df[term]!++;
      if (i < 200) weights.push(...doc.values);
    }
    const sorted = Array.from(df).sort((a, b) => b - a);
    // Heavy head, long tail: the most common term is in most docs, the 1000th in a few percent, the 10000th rarely.
    assert.ok(sorted[0]! > 0.9 * n, `top df ${sorted[0]}`);
    assert.ok(sorted[999]! < 0.1 * n && sorted[999]! > 0.01 * n, `1000th df ${sorted[999]}`);
    assert.ok(sorted[9999]! < sorted[999]! / 3, `10000th df ${sorted[9999]}`);
    // Special tokens ([PAD], [unused*], ...) are never drawn.
    for (let term = 0; term < 999; term++) assert.equal(df[term], 0);
    // log(weight) is roughly symmetric around its median (log-normal), and weights are positive.
    const logs = weights.map(Math.log).sort((a, b) => a - b);
    const median = logs[logs.length >> 1]!;
    const below = median - logs[Math.floor(logs.length * 0.1)]!;
    const above = logs[Math.floor(logs.length * 0.9)]! - median;
    assert.ok(Math.abs(below - above) / (below + above) < 0.35, `log-weight spread ${below} vs ${above}`);
  });

  it('builds queries whose source document scores near the top (relevant passages exist)', () => {
    let top10 = 0;
    for (let q = 0; q < 20; q++) {
      const { vector, sourceDoc } = generator.query(q, 500);
      const scores = Array.from({ length: 500 }, (_, d) => sparseDot(vector, generator.document(d)));
      const rank = scores.filter((s) => s > scores[sourceDoc]!).length;
      if (rank < 10) top10++;
    }
    assert.ok(top10 >= 18, `source doc in the top 10 for only ${top10} of 20 queries`);
  });
});
