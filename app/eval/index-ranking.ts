/**
 * Ranking through the app's on-disk index. The index stores 8-bit impacts, so its scores are not the model's; it
 * selects candidates and each candidate is rescored with the full-precision vector held in memory (`exactScore`),
 * as the engine's search does.
 *
 * Exact mode is certified, not hoped for: a stored weight is within one impact step (`scale`) of the true one (the
 * index is created with `maxWeight` = the corpus's largest weight, so nothing is clamped), so a document's quantized
 * score is within `Σ query weights × scale` of its exact score. The candidate pool grows until the k-th exact score
 * beats the best any document outside the pool could reach; if the pool cannot grow further (the index's k limit),
 * that query is scored by brute force and counted. The result then equals `BruteForceRanker`'s, bit for bit.
 *
 * Approximate mode runs the same loop on the index's approximate search (query-term pruning for block bounds), with
 * no brute-force fallback: what the app's approximate search would return, rescored.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SparseVector } from '../encoder/index.js';
import { SparseIndex, DEFAULT_MAX_WEIGHT, type SearchStats } from '../index/index.js';
import { exactScore, fillWithZeroScores, TopHits, type BruteForceRanker, type TieOrder } from './ranking.js';

/** The index's largest `k`: the candidate pool never grows beyond it. */
export const MAX_POOL = 10000;

export type RankingMode = 'exact' | 'approximate';

export interface IndexRankingStats {
  /** Index searches run (a query whose pool grew counts each search). */
  searches: number;
  /** Queries whose exact top list could not be certified from the index's candidates and were brute-forced. */
  bruteForceFallbacks: number;
  /** Blocks the index scored, of all blocks it holds, summed over searches. */
  blocksScored: number;
  blocksTotal: number;
}

/** A temporary index of one dataset's documents: one file whose passages are the documents, in corpus order. */
export class EvalIndex {
  private constructor(
    readonly dir: string,
    private readonly index: SparseIndex,
    private readonly docOfPassage: Map<number, number>,
    private readonly docs: readonly SparseVector[],
    private readonly maxPool: number,
  ) {}

  /**
   * Builds the index in a new temporary folder (removed by `close`). `maxPool` caps the candidate pool (default and
   * at most `MAX_POOL`; tests lower it to reach the brute-force fallback on a small corpus).
   */
  static async build(docs: readonly SparseVector[], vocabSize: number, options: { maxPool?: number } = {}): Promise<EvalIndex> {
    const maxPool = Math.min(MAX_POOL, options.maxPool ?? MAX_POOL);
    let maxWeight = 0;
    for (const doc of docs) for (let i = 0; i < doc.values.length; i++) maxWeight = Math.max(maxWeight, doc.values[i]!);
    const dir = await mkdtemp(join(tmpdir(), 'splade-eval-index-'));
    let index: SparseIndex | undefined;
    try {
      index = SparseIndex.open(dir, { vocabSize, maxWeight: maxWeight > 0 ? maxWeight : DEFAULT_MAX_WEIGHT });
      const writer = index.openWriter({ autoMerge: false });
      try {
        const { passageIds } = writer.upsertFile(
          { path: join(dir, 'corpus') },
          docs.map((doc, ordinal) => ({ vector: { indices: doc.indices, values: doc.values }, charStart: 0, charEnd: 0, ordinal })),
        );
        writer.commit();
        const docOfPassage = new Map(passageIds.map((pid, doc) => [pid, doc]));
        return new EvalIndex(dir, index, docOfPassage, docs, maxPool);
      } finally {
        writer.close();
      }
    } catch (error) {
      index?.close();
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * The top `depth` documents for `query` (ordered as the reference orders them), from the index's candidates
   * rescored exactly. `fallback` scores a query by brute force when exact mode cannot certify its list.
   */
  rank(query: SparseVector, depth: number, mode: RankingMode, order: TieOrder, fallback: BruteForceRanker, stats: IndexRankingStats): { docs: number[]; scores: number[] } {
    const n = this.docs.length;
    const want = Math.min(depth, n);
    if (want === 0) return { docs: [], scores: [] };
    let mass = 0;
    for (let i = 0; i < query.values.length; i++) mass += query.values[i]!;
    // Each stored weight is within one step of its true value; 1e-6 relative covers float rounding of the sums.
    const slack = mass * this.index.scale * (1 + 1e-6) + 1e-12;
    let pool = Math.min(n, this.maxPool, Math.max(4 * want, 50));
    for (;;) {
      const { hits, stats: searchStats } = this.index.search(query, { k: pool, mode, contributions: false });
      this.count(stats, searchStats);
      const top = new TopHits(want, order);
      for (const hit of hits) {
        const doc = this.docOfPassage.get(hit.passageId)!;
        const score = exactScore(query, this.docs[doc]!);
        if (score > 0) top.offer(doc, score);
      }
      const ranked = top.sorted();
      // Fewer hits than asked: every document sharing a term with the query is among them; the rest score 0.
      if (hits.length < pool || pool >= n) return fillWithZeroScores(ranked, want, order);
      const kth = ranked.scores[want - 1];
      const lowest = hits[hits.length - 1]!.score;
      // A document outside the pool scores at most lowest + slack (exactly, before float32 rounding).
      if (kth !== undefined && Math.fround(lowest + slack) < kth) return ranked;
      if (pool >= Math.min(n, this.maxPool)) {
        if (mode === 'approximate') return fillWithZeroScores(ranked, want, order);
        stats.bruteForceFallbacks++;
        return fallback.rank(query, depth);
      }
      pool = Math.min(n, this.maxPool, pool * 4);
    }
  }

  private count(stats: IndexRankingStats, search: SearchStats): void {
    stats.searches++;
    stats.blocksScored += search.blocksScored;
    stats.blocksTotal += search.blocksTotal;
  }

  async close(): Promise<void> {
    this.index.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

export function emptyIndexRankingStats(): IndexRankingStats {
  return { searches: 0, bruteForceFallbacks: 0, blocksScored: 0, blocksTotal: 0 };
}
