/**
 * Exact scores from the full-precision passage vectors kept in the catalog (`keepVectors`), computed on the stored
 * blob (n uint32 term ids ascending, then n float32 weights) without decoding it into new arrays: the query is laid
 * out dense once, and each blob is read through typed-array views. The sum runs over the shared terms in ascending
 * id order in double precision — the same additions, in the same order, as `sparseDot` on the decoded vectors, so
 * the scores are bit-identical to it.
 */
import { LITTLE_ENDIAN } from './catalog/catalog.js';
import type { SparseVector } from './sparse-vector.js';

/** The query's weights by term id (zero elsewhere), for `blobDot`. */
export function denseQuery(query: SparseVector, vocabSize: number): Float64Array {
  const dense = new Float64Array(vocabSize);
  for (let i = 0; i < query.indices.length; i++) {
    const id = query.indices[i]!;
    if (id < vocabSize) dense[id] = query.values[i]!;
  }
  return dense;
}

/** Dot product of a dense query with a stored vector blob. */
export function blobDot(dense: Float64Array, blob: Uint8Array): number {
  const n = blob.byteLength >>> 3;
  let sum = 0;
  if (LITTLE_ENDIAN) {
    // Typed-array views need 4-byte alignment; SQLite's buffers usually have it, a copy gives it otherwise.
    const bytes = blob.byteOffset % 4 === 0 ? blob : new Uint8Array(blob);
    const ids = new Uint32Array(bytes.buffer, bytes.byteOffset, n);
    const weights = new Float32Array(bytes.buffer, bytes.byteOffset + 4 * n, n);
    // Branch-free: a term outside the query adds +0, which leaves the sum unchanged.
    for (let i = 0; i < n; i++) sum += dense[ids[i]!]! * weights[i]!;
    return sum;
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  for (let i = 0; i < n; i++) {
    sum += dense[view.getUint32(4 * i, true)]! * view.getFloat32(4 * (n + i), true);
  }
  return sum;
}
