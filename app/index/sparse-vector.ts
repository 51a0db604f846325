/** Sparse vectors as the index receives them (term ids ascending, weights > 0) and their validation. */
import { InvalidVectorError } from './index-errors.js';
import type { SparseVector } from '../sparse/sparse-vector.js';

export type { SparseVector };

/** The BERT WordPiece vocabulary size of the SPLADE models this app uses. */
export const DEFAULT_VOCAB_SIZE = 30522;

/**
 * Throws an InvalidVectorError naming `what` (e.g. `passage 3 of /docs/a.txt`) when the vector is malformed:
 * mismatched lengths, indices not strictly ascending (unsorted or duplicate), outside [0, vocabSize), or values that
 * are not finite and > 0. Queries may pass `allowZero` (zero weights are skipped).
 */
export function validateSparseVector(vector: SparseVector, vocabSize: number, what: string, allowZero = false): void {
  if (vector === null || typeof vector !== 'object') throw new InvalidVectorError(`${what}: expected {indices, values}, got ${String(vector)}`);
  const { indices, values } = vector;
  if (!(indices instanceof Uint32Array || indices instanceof Int32Array)) {
    throw new InvalidVectorError(`${what}: indices must be a Uint32Array or Int32Array`);
  }
  if (!(values instanceof Float32Array)) throw new InvalidVectorError(`${what}: values must be a Float32Array`);
  if (indices.length !== values.length) {
    throw new InvalidVectorError(`${what}: ${indices.length} indices but ${values.length} values`);
  }
  let previous = -1;
  for (let i = 0; i < indices.length; i++) {
    const term = indices[i]!;
    if (term < 0 || term >= vocabSize) {
      throw new InvalidVectorError(`${what}: term id ${term} at position ${i} is outside the vocabulary [0, ${vocabSize})`);
    }
    if (term <= previous) {
      throw new InvalidVectorError(
        `${what}: indices must be strictly ascending, found ${term} after ${previous} at position ${i}` +
          (term === previous ? ' (duplicate)' : ' (unsorted)'),
      );
    }
    previous = term;
    const value = values[i]!;
    if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
      throw new InvalidVectorError(`${what}: weight ${value} of term ${term} at position ${i} must be finite and > 0`);
    }
  }
}

/** The dot product of two sparse vectors (both sorted by term id): the engine's one, from app/sparse. */
export { dot as sparseDot } from '../sparse/sparse-vector.js';
