/** The encoder's operations on sparse vectors (app/sparse): activation, top-k, packing a dense batch output into rows. */
import type { SparseVector } from '../sparse/sparse-vector.js';
import type { ActivationFunction } from './splade-pooling.js';

export type { SparseVector };

/** The SPLADE activation applied to relu(max logit) `m > 0`: log1p, once or twice, each rounded to float32. */
export function activate(m: number, activation: ActivationFunction): number {
  const once = Math.fround(Math.log1p(m));
  return activation === 'relu' ? once : Math.fround(Math.log1p(once));
}

/** Positions of `vector`'s entries by weight descending, ties by lower token id; at most `k` of them. */
function rankByWeight(vector: SparseVector, k: number): number[] {
  const order = Array.from({ length: vector.indices.length }, (_, i) => i);
  order.sort((x, y) => vector.values[y]! - vector.values[x]! || vector.indices[x]! - vector.indices[y]!);
  return order.slice(0, Math.max(0, k));
}

/** `[token id, weight]` pairs by weight descending (ties: lower id first), at most `topK` (all by default). */
export function topEntries(vector: SparseVector, topK = Infinity): Array<[number, number]> {
  return rankByWeight(vector, Math.min(topK, vector.indices.length)).map((p) => [vector.indices[p]!, vector.values[p]!]);
}

/** Keeps the `k` largest weights (ties: lower token id), as sentence-transformers' `max_active_dims`. */
export function selectMaxActiveDims(vector: SparseVector, k: number): SparseVector {
  if (vector.indices.length <= k) return vector;
  const keep = rankByWeight(vector, k).sort((x, y) => x - y);
  return { indices: Int32Array.from(keep, (p) => vector.indices[p]!), values: Float32Array.from(keep, (p) => vector.values[p]!) };
}

/** Rows of a sparse batch packed into three arrays: row r is `indices/values[offsets[r] .. offsets[r+1])`. */
export interface PackedSparseRows {
  offsets: Uint32Array;
  indices: Int32Array;
  values: Float32Array;
}

/**
 * Packs a dense `[rows, width]` output into sparse rows, keeping entries > 0 and passing each through `transform`
 * (e.g. the activation). Entries that `transform` maps to 0 are dropped.
 */
export function packDenseRows(dense: Float32Array, rows: number, width: number, transform?: (x: number) => number): PackedSparseRows {
  let count = 0;
  for (let i = 0; i < rows * width; i++) if (dense[i]! > 0) count++;
  const offsets = new Uint32Array(rows + 1);
  const indices = new Int32Array(count);
  const values = new Float32Array(count);
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    for (let v = 0; v < width; v++) {
      const x = dense[base + v]!;
      if (x > 0) {
        const y = transform ? transform(x) : x;
        if (y > 0) {
          indices[n] = v;
          values[n++] = y;
        }
      }
    }
    offsets[r + 1] = n;
  }
  return { offsets, indices: indices.subarray(0, n), values: values.subarray(0, n) };
}

/** Splits packed rows back into vectors (views, no copies). */
export function unpackRows(packed: PackedSparseRows): SparseVector[] {
  const out: SparseVector[] = [];
  for (let r = 0; r + 1 < packed.offsets.length; r++) {
    const start = packed.offsets[r]!;
    const end = packed.offsets[r + 1]!;
    out.push({ indices: packed.indices.subarray(start, end), values: packed.values.subarray(start, end) });
  }
  return out;
}
