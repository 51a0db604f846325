/**
 * The retrieval metrics of sentence-transformers' `InformationRetrievalEvaluator` (which
 * `SparseInformationRetrievalEvaluator` extends), formula for formula (splade-reference.md (the project's shared reference notes) §8.1):
 * pure functions of ranked corpus ids and relevant-id sets, so they are tested by hand without a model.
 *
 * - Relevance is binary: a hit is relevant when its id is in the query's qrels set, whatever its grade.
 * - `R` is the whole qrels set of the query, including ids absent from the corpus (they lower recall and NDCG).
 * - precision@k always divides by k, even when fewer than k hits exist; MAP@k divides by min(k, |R|).
 * - accuracy@k and MRR@k are sums divided by the number of queries; the others are `np.mean` of per-query values.
 */
import { numpyMean } from './reference-arithmetic.js';

/** The cut-offs of each metric; the reference's defaults are `DEFAULT_CUTOFFS`. */
export interface MetricCutoffs {
  accuracyAtK: readonly number[];
  precisionRecallAtK: readonly number[];
  mrrAtK: readonly number[];
  ndcgAtK: readonly number[];
  mapAtK: readonly number[];
}

export const DEFAULT_CUTOFFS: MetricCutoffs = {
  accuracyAtK: [1, 3, 5, 10],
  precisionRecallAtK: [1, 3, 5, 10],
  mrrAtK: [10],
  ndcgAtK: [10],
  mapAtK: [100],
};

/** How many hits per query the metrics look at: the largest cut-off (100 by default). */
export function rankingDepth(cutoffs: MetricCutoffs): number {
  return Math.max(...cutoffs.accuracyAtK, ...cutoffs.precisionRecallAtK, ...cutoffs.mrrAtK, ...cutoffs.ndcgAtK, ...cutoffs.mapAtK);
}

/** `compute_dcg_at_k`: Σ_{i < min(len, k)} rel_i / log2(i + 2). */
export function dcgAtK(relevances: readonly number[], k: number): number {
  let dcg = 0;
  for (let i = 0; i < Math.min(relevances.length, k); i++) dcg += relevances[i]! / Math.log2(i + 2);
  return dcg;
}

/** NDCG@k of one query: DCG of the binary relevances of `hits[:k]` over the DCG of |R| relevant hits. */
export function ndcgAtK(hits: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  const predicted = hits.slice(0, k).map((id) => (relevant.has(id) ? 1 : 0));
  return dcgAtK(predicted, k) / dcgAtK(new Array<number>(relevant.size).fill(1), k);
}

/** Reciprocal rank of the first relevant hit within `hits[:k]`, else 0. */
export function reciprocalRankAtK(hits: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  const limit = Math.min(k, hits.length);
  for (let rank = 0; rank < limit; rank++) if (relevant.has(hits[rank]!)) return 1.0 / (rank + 1);
  return 0;
}

/** Relevant hits within `hits[:k]`. */
export function relevantInTopK(hits: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  let count = 0;
  const limit = Math.min(k, hits.length);
  for (let rank = 0; rank < limit; rank++) if (relevant.has(hits[rank]!)) count++;
  return count;
}

/** Average precision at k: Σ over relevant hits at rank i < k of (relevant so far / (i + 1)), over min(k, |R|). */
export function averagePrecisionAtK(hits: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  let correct = 0;
  let sum = 0;
  const limit = Math.min(k, hits.length);
  for (let rank = 0; rank < limit; rank++) {
    if (relevant.has(hits[rank]!)) {
      correct++;
      sum += correct / (rank + 1);
    }
  }
  return sum / Math.min(k, relevant.size);
}

/**
 * The evaluator's `compute_metrics`: `rankings[q]` are query q's hits, best first (the reference's order: score
 * descending, ties by corpus id), `relevant[q]` its qrels set (never empty: the evaluator drops queries without
 * relevant documents before ranking). Keys are `{scoreFunction}_{metric}@{k}` in the reference's order.
 */
export function retrievalMetrics(
  rankings: readonly (readonly string[])[],
  relevant: readonly ReadonlySet<string>[],
  cutoffs: MetricCutoffs = DEFAULT_CUTOFFS,
  scoreFunction = 'dot',
): Record<string, number> {
  if (rankings.length !== relevant.length) throw new Error(`${rankings.length} rankings for ${relevant.length} queries`);
  relevant.forEach((set, q) => {
    if (set.size === 0) throw new Error(`query ${q} has no relevant documents (the evaluator leaves such queries out)`);
  });
  const n = rankings.length;
  const metrics: Record<string, number> = {};
  const perQuery = (compute: (hits: readonly string[], rel: ReadonlySet<string>) => number) => rankings.map((hits, q) => compute(hits, relevant[q]!));
  for (const k of cutoffs.accuracyAtK) {
    let hitsAtK = 0;
    rankings.forEach((hits, q) => (hitsAtK += relevantInTopK(hits, relevant[q]!, k) > 0 ? 1 : 0));
    metrics[`${scoreFunction}_accuracy@${k}`] = hitsAtK / n;
  }
  for (const k of cutoffs.precisionRecallAtK) metrics[`${scoreFunction}_precision@${k}`] = numpyMean(perQuery((hits, rel) => relevantInTopK(hits, rel, k) / k));
  for (const k of cutoffs.precisionRecallAtK) metrics[`${scoreFunction}_recall@${k}`] = numpyMean(perQuery((hits, rel) => relevantInTopK(hits, rel, k) / rel.size));
  for (const k of cutoffs.ndcgAtK) metrics[`${scoreFunction}_ndcg@${k}`] = numpyMean(perQuery((hits, rel) => ndcgAtK(hits, rel, k)));
  for (const k of cutoffs.mrrAtK) {
    let sum = 0;
    for (const rr of perQuery((hits, rel) => reciprocalRankAtK(hits, rel, k))) sum += rr;
    metrics[`${scoreFunction}_mrr@${k}`] = sum / n;
  }
  for (const k of cutoffs.mapAtK) metrics[`${scoreFunction}_map@${k}`] = numpyMean(perQuery((hits, rel) => averagePrecisionAtK(hits, rel, k)));
  return metrics;
}
