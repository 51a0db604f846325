/**
 * Ranking with exact scores: the index's 8-bit impacts select candidates, then each candidate is rescored with the
 * full-precision passage vector kept in the catalog (the model's own float dot product), so the order equals
 * sentence-transformers' up to float ties. The candidate pool grows until no passage outside it can beat the k-th
 * exact score: a quantized score differs from the exact one by at most `queryMass × scale` (each stored weight is
 * within one impact step of its true value; weights above the index's maxWeight are clamped and not covered).
 */
import { sparseDot, type SearchHit as IndexHit, type SparseIndex, type SearchFilter, type SparseVector } from '../index/index.js';
import { passageMatches } from './query-syntax.js';

export interface RankedPassage {
  hit: IndexHit;
  /** The exact score (or the quantized one for a passage stored without its vector). */
  score: number;
  /** The passage's full-precision vector, when kept. */
  vector: SparseVector | undefined;
}

export interface RankOptions {
  k: number;
  mode: 'exact' | 'approximate';
  filter: SearchFilter;
  phrases: string[];
  excluded: string[];
  /** Passage ids left out (more-like-this leaves out the passage it starts from). */
  exclude?: ReadonlySet<number>;
}

/** Largest candidate pool before giving up on the phrase/-word filters finding k passages. */
const MAX_POOL = 20_000;

export function rankExact(index: SparseIndex, query: SparseVector, options: RankOptions): RankedPassage[] {
  let mass = 0;
  for (let i = 0; i < query.values.length; i++) mass += query.values[i]!;
  const slack = 2 * mass * index.scale;
  let pool = Math.max(options.k * 4, 50);
  for (;;) {
    const { hits } = index.search(query, { k: pool, mode: options.mode, filter: options.filter, contributions: false });
    const vectors = index.passageVectors(hits.map((hit) => hit.passageId));
    const ranked: RankedPassage[] = [];
    for (const hit of hits) {
      if (options.exclude?.has(hit.passageId)) continue;
      if (!passageMatches(hit.passage.text ?? '', options)) continue;
      const vector = vectors.get(hit.passageId);
      ranked.push({ hit, score: vector ? sparseDot(query, vector) : hit.score, vector });
    }
    ranked.sort((a, b) => b.score - a.score || a.hit.passageId - b.hit.passageId);
    const exhausted = hits.length < pool || pool >= MAX_POOL;
    const kth = ranked[options.k - 1]?.score;
    const lowestCandidate = hits[hits.length - 1]?.score ?? 0;
    // Done when the index has nothing more, or nothing outside the pool can reach the k-th exact score.
    if (exhausted || (kth !== undefined && lowestCandidate + slack < kth)) return ranked.slice(0, options.k);
    pool = Math.min(MAX_POOL, pool * 4);
  }
}
