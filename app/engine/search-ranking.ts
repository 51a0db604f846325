/**
 * Ranking with exact scores: the index's 8-bit impacts select candidates, then each candidate is rescored with the
 * full-precision passage vector kept in the catalog (the model's own float dot product), so the order equals
 * sentence-transformers' up to float ties.
 *
 * The candidate pool grows until no passage outside it can beat the k-th exact score. Each stored weight is rounded
 * to the nearest impact step (weights below half a step are raised to one step, never lowered), so a passage's
 * exact score exceeds its quantized one by at most `queryMass × scale / 2` (weights above the index's maxWeight are
 * clamped and not covered). The pool never asks the index for more than its `SEARCH_K_LIMIT`; when a pool of that
 * size still cannot be certified (dense vectors, a wide bound, or phrase/-word filters that reject most
 * candidates), every live passage's kept vector is scored instead (`exactScan`) — still exact; it is also the
 * cheaper way once the vectors are held in memory or the next pool would cover a quarter of the index.
 */
import { SEARCH_K_LIMIT, type SearchHit as IndexHit, type SparseIndex, type SearchFilter, type SparseVector } from '../index/index.js';
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
  /** Largest candidate pool asked of the index (default and upper bound: the index's `SEARCH_K_LIMIT`); a test seam. */
  maxPool?: number;
}

export interface Ranking {
  passages: RankedPassage[];
  /** 'pool': candidates from the index, certified; 'scan': every live passage scored (the pool could not be). */
  method: 'pool' | 'scan';
  /** Passages scored exactly (a scan: every live passage). */
  candidates: number;
}

/** Relative margin on the bound for float rounding in the sums compared. */
const ROUNDING = 1e-9;

export function rankExact(index: SparseIndex, query: SparseVector, options: RankOptions): Ranking {
  const limit = Math.min(SEARCH_K_LIMIT, Math.max(1, Math.floor(options.maxPool ?? SEARCH_K_LIMIT)));
  let mass = 0;
  for (let i = 0; i < query.values.length; i++) mass += query.values[i]!;
  const slack = (mass * index.scale) / 2 + ROUNDING * (1 + mass);
  let pool = Math.min(limit, Math.max(options.k * 4, 50));
  // Vectors in memory (a previous search needed a scan): scanning them costs less than asking the index for a pool.
  if (options.mode === 'exact' && index.vectorsResident) return scanAll(index, query, options);
  for (;;) {
    const { hits } = index.search(query, { k: pool, mode: options.mode, filter: options.filter, contributions: false });
    const scores = index.exactScores(query, hits.map((hit) => hit.passageId));
    const ranked: { hit: IndexHit; score: number; exact: boolean }[] = [];
    for (const hit of hits) {
      if (options.exclude?.has(hit.passageId)) continue;
      if (!passageMatches(hit.passage.text ?? '', options)) continue;
      const exact = scores.get(hit.passageId);
      ranked.push({ hit, score: exact ?? hit.score, exact: exact !== undefined });
    }
    ranked.sort((a, b) => b.score - a.score || a.hit.passageId - b.hit.passageId);
    const kth = ranked[options.k - 1]?.score;
    const lowestCandidate = hits[hits.length - 1]?.score ?? 0;
    // Done when the index has nothing more, or nothing outside the pool can reach the k-th exact score.
    if (hits.length < pool || (kth !== undefined && lowestCandidate + slack < kth) || options.mode === 'approximate' && pool >= limit) {
      return { passages: withVectors(index, ranked.slice(0, options.k)), method: 'pool', candidates: hits.length };
    }
    // A larger pool re-reads more candidates; scanning everything is cheaper once the vectors are in memory, or once
    // the pool would cover a large part of the index anyway.
    const next = Math.min(limit, pool * 4);
    if (pool >= limit || index.vectorsResident || next * 4 >= index.stats().liveDocCount) return scanAll(index, query, options);
    pool = next;
  }
}

/** Every live passage scored from its kept vector, then the first k that pass the text filters. */
function scanAll(index: SparseIndex, query: SparseVector, options: RankOptions): Ranking {
  // Without text filters only left-out passages are skipped: the first k + their count suffice (no full sort).
  const textFilters = options.phrases.length > 0 || options.excluded.length > 0;
  let limit = textFilters ? undefined : options.k + (options.exclude?.size ?? 0);
  for (;;) {
    const scored = index.exactScan(query, options.filter, limit);
    const chosen: { hit: IndexHit; score: number; exact: boolean }[] = [];
    for (const { passageId, score } of scored) {
      if (chosen.length >= options.k) break;
      if (options.exclude?.has(passageId)) continue;
      const passage = index.getPassage(passageId);
      const file = passage && index.getFile(passage.fileId);
      if (!passage || !file || !passageMatches(passage.text ?? '', options)) continue;
      chosen.push({ hit: { passageId, score, passage, file, terms: [] }, score, exact: true });
    }
    // A passage gone between the scan and its row (another process committed): scan again, unlimited.
    if (chosen.length < options.k && limit !== undefined && scored.length >= limit) {
      limit = undefined;
      continue;
    }
    return { passages: withVectors(index, chosen), method: 'scan', candidates: index.stats().liveDocCount };
  }
}

/** Decodes the full vectors of the final hits only (for their per-term contributions). */
function withVectors(index: SparseIndex, chosen: { hit: IndexHit; score: number; exact: boolean }[]): RankedPassage[] {
  const vectors = index.passageVectors(chosen.filter((entry) => entry.exact).map((entry) => entry.hit.passageId));
  return chosen.map(({ hit, score }) => ({ hit, score, vector: vectors.get(hit.passageId) }));
}
