/**
 * Brute force: scores every doc of a forward copy of the quantized vectors against a query. The reference the
 * exact search is tested against, and the baseline the benchmark reports.
 */
import type { PreparedQuery } from './prepared-query.js';
import { TopKHeap } from './top-k-heap.js';

/** Quantized vectors in compressed-sparse-row form. */
export interface QuantizedForward {
  docCount: number;
  offsets: Float64Array | Uint32Array;
  terms: Uint16Array | Uint32Array;
  impacts: Uint8Array;
}

/** Top-k (score in impact units, doc number) by a full scan; docs with `skip(doc)` true are left out. */
export function bruteForceTopK(
  forward: QuantizedForward,
  query: PreparedQuery,
  k: number,
  vocabSize: number,
  skip?: (doc: number) => boolean,
): { score: number; doc: number }[] {
  const dense = new Float64Array(vocabSize);
  for (let i = 0; i < query.terms.length; i++) dense[query.terms[i]!] = query.weights[i]!;
  const heap = new TopKHeap(k);
  const { offsets, terms, impacts } = forward;
  let threshold = 0;
  for (let doc = 0; doc < forward.docCount; doc++) {
    let score = 0;
    for (let p = offsets[doc]!, end = offsets[doc + 1]!; p < end; p++) score += dense[terms[p]!]! * impacts[p]!;
    if (score > threshold && (skip === undefined || !skip(doc))) threshold = heap.push(score, doc);
  }
  return heap.sorted().map(({ score, key }) => ({ score, doc: key }));
}
