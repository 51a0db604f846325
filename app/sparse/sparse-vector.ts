/**
 * The one sparse vector of the engine: what the encoder produces and the index stores and searches. A tiny module
 * that both may import without knowing each other.
 */

/** Non-zero entries of a vocabulary-sized vector: term (token) ids strictly ascending, weights > 0. */
export interface SparseVector {
  indices: Int32Array | Uint32Array;
  values: Float32Array;
}

/** Dot product of two sparse vectors (a merge over ascending indices), accumulated in double precision. */
export function dot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  const ai = a.indices;
  const bi = b.indices;
  while (i < ai.length && j < bi.length) {
    const x = ai[i]!;
    const y = bi[j]!;
    if (x === y) sum += a.values[i++]! * b.values[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return sum;
}
