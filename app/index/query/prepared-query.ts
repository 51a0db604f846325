/** A query vector ready for search: term ids ascending with float64 weights, optionally pruned to its heaviest terms. */
import type { SparseVector } from '../sparse-vector.js';

export interface PreparedQuery {
  /** Term ids, ascending. */
  terms: Uint32Array;
  weights: Float64Array;
}

/** Drops zero weights. */
export function prepareQuery(vector: SparseVector): PreparedQuery {
  let n = 0;
  for (let i = 0; i < vector.values.length; i++) if (vector.values[i]! > 0) n++;
  const terms = new Uint32Array(n);
  const weights = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < vector.values.length; i++) {
    if (vector.values[i]! > 0) {
      terms[j] = vector.indices[i]!;
      weights[j] = vector.values[i]!;
      j++;
    }
  }
  return { terms, weights };
}

/**
 * Query-term pruning (the approximation knob with the best payoff for SPLADE): keeps the heaviest terms until
 * `massFraction` of the query's total weight is covered, at least `minTerms` and at most `maxTerms` of them.
 */
export function pruneQuery(query: PreparedQuery, massFraction: number, minTerms: number, maxTerms: number): PreparedQuery {
  const n = query.terms.length;
  if (n <= minTerms) return query;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => query.weights[b]! - query.weights[a]! || a - b);
  let total = 0;
  for (let i = 0; i < n; i++) total += query.weights[i]!;
  let kept = 0;
  let mass = 0;
  while (kept < n && kept < maxTerms && (kept < minTerms || mass < massFraction * total)) mass += query.weights[order[kept++]!]!;
  const keep = order.slice(0, kept).sort((a, b) => a - b);
  return { terms: Uint32Array.from(keep, (i) => query.terms[i]!), weights: Float64Array.from(keep, (i) => query.weights[i]!) };
}
