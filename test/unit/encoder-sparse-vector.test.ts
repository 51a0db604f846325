import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dot, type SparseVector } from '../../app/sparse/sparse-vector.js';
import { activate, packDenseRows, selectMaxActiveDims, topEntries, unpackRows } from '../../app/encoder/sparse-vector.js';

const vec = (indices: number[], values: number[]): SparseVector => ({ indices: Int32Array.from(indices), values: Float32Array.from(values) });

describe('sparse vectors', () => {
  it('computes the dot product over shared indices', () => {
    assert.equal(dot(vec([1, 5, 9], [1, 2, 3]), vec([0, 5, 9, 12], [7, 10, 100, 1])), 2 * 10 + 3 * 100);
    assert.equal(dot(vec([], []), vec([1], [1])), 0);
  });

  it('ranks by weight descending with ties broken by lower token id', () => {
    const v = vec([3, 7, 10, 20], [0.5, 0.75, 0.5, 0.25]);
    assert.deepEqual(topEntries(v), [[7, 0.75], [3, 0.5], [10, 0.5], [20, 0.25]]);
    assert.deepEqual(topEntries(v, 2), [[7, 0.75], [3, 0.5]]);
    assert.deepEqual(topEntries(v, 0), []);
  });

  it('keeps the k largest weights for max_active_dims, ties to the lower id, indices still ascending', () => {
    const v = vec([3, 7, 10, 20], [0.5, 0.75, 0.5, 0.25]);
    const top = selectMaxActiveDims(v, 2);
    assert.deepEqual([...top.indices], [3, 7]);
    assert.deepEqual([...top.values], [0.5, 0.75]);
    assert.equal(selectMaxActiveDims(v, 10), v);
  });

  it('applies log1p (once for relu, twice for log1p_relu) rounded to float32', () => {
    assert.equal(activate(0.5, 'relu'), Math.fround(Math.log1p(0.5)));
    assert.equal(activate(0.5, 'log1p_relu'), Math.fround(Math.log1p(Math.fround(Math.log1p(0.5)))));
    assert.ok(activate(1e-9, 'relu') > 0); // log(1 + x) in float32 would give 0
  });

  it('packs the positive entries of dense rows and unpacks them per row', () => {
    const dense = Float32Array.from([0, 2, 0, -1, /* row 2 */ 0, 0, 0, 0, /* row 3 */ 3, 0, 0, 4]);
    const rows = unpackRows(packDenseRows(dense, 3, 4, (x) => x * 10));
    assert.deepEqual(rows.map((r) => [...r.indices]), [[1], [], [0, 3]]);
    assert.deepEqual(rows.map((r) => [...r.values]), [[20], [], [30, 40]]);
  });
});
