/**
 * The reference's ranking, redone exactly: every document gets the float32 dot product with the query (torch's
 * sparse matrix product yields float32), the hits are the top `depth` documents ordered by score descending, ties
 * by corpus id ascending in Python's string order (sentence-transformers' `(-score, corpus_id)` total order; older
 * releases broke ties in `torch.topk`'s arbitrary order), and documents that share no term with the query score 0
 * and still fill the list when fewer than `depth` score above 0.
 *
 * `BruteForceRanker` scores every document from an in-memory inverted list; `app/eval/index-ranking.ts` gets the
 * same lists through the on-disk index. Both score a (query, document) pair with `exactScore`, so equal candidate
 * sets give bit-identical rankings.
 */
import type { SparseVector } from '../encoder/index.js';
import { compareCodePoints } from './reference-arithmetic.js';

/** The score the reference ranks by: the dot product (summed over ascending term ids) rounded to float32. */
export function exactScore(query: SparseVector, doc: SparseVector): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  const qi = query.indices;
  const di = doc.indices;
  while (i < qi.length && j < di.length) {
    const x = qi[i]!;
    const y = di[j]!;
    if (x === y) sum += query.values[i++]! * doc.values[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return Math.fround(sum);
}

/** Documents of one dataset in the order ties are broken: `rankOf[doc]` is its position among the ids sorted. */
export class TieOrder {
  /** Position of each document's id in Python's string order. */
  readonly rankOf: Int32Array;
  /** Documents by id, ascending. */
  readonly byId: Int32Array;

  constructor(ids: readonly string[]) {
    const order = Array.from(ids, (_, i) => i).sort((a, b) => compareCodePoints(ids[a]!, ids[b]!));
    this.byId = Int32Array.from(order);
    this.rankOf = new Int32Array(ids.length);
    order.forEach((doc, position) => (this.rankOf[doc] = position));
  }

  /** True when (scoreA, docA) ranks after (scoreB, docB). */
  after(scoreA: number, docA: number, scoreB: number, docB: number): boolean {
    return scoreA < scoreB || (scoreA === scoreB && this.rankOf[docA]! > this.rankOf[docB]!);
  }
}

/**
 * Keeps the best `depth` of the (doc, score) pairs offered, in the reference's order: a binary heap with the worst
 * kept hit on top, so offering n pairs costs O(n log depth).
 */
export class TopHits {
  private readonly docs: number[] = [];
  private readonly scores: number[] = [];

  constructor(
    private readonly depth: number,
    private readonly order: TieOrder,
  ) {}

  get size(): number {
    return this.docs.length;
  }

  offer(doc: number, score: number): void {
    if (this.depth <= 0) return;
    if (this.docs.length < this.depth) {
      this.docs.push(doc);
      this.scores.push(score);
      this.siftUp(this.docs.length - 1);
    } else if (this.order.after(this.scores[0]!, this.docs[0]!, score, doc)) {
      this.docs[0] = doc;
      this.scores[0] = score;
      this.siftDown(0);
    }
  }

  /** The kept hits, best first. */
  sorted(): { docs: number[]; scores: number[] } {
    const positions = this.docs.map((_, i) => i);
    positions.sort((a, b) => (this.order.after(this.scores[a]!, this.docs[a]!, this.scores[b]!, this.docs[b]!) ? 1 : -1));
    return { docs: positions.map((p) => this.docs[p]!), scores: positions.map((p) => this.scores[p]!) };
  }

  private worse(a: number, b: number): boolean {
    return this.order.after(this.scores[a]!, this.docs[a]!, this.scores[b]!, this.docs[b]!);
  }

  private swap(a: number, b: number): void {
    [this.docs[a], this.docs[b]] = [this.docs[b]!, this.docs[a]!];
    [this.scores[a], this.scores[b]] = [this.scores[b]!, this.scores[a]!];
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.docs.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < n && this.worse(l, worst)) worst = l;
      if (r < n && this.worse(r, worst)) worst = r;
      if (worst === i) return;
      this.swap(i, worst);
      i = worst;
    }
  }
}

/**
 * Completes a ranking of the documents scoring above 0 (best first) with the zero-score documents, by id, up to
 * `depth` hits: what the reference's top-k over all scores returns when fewer than `depth` documents share a term
 * with the query.
 */
export function fillWithZeroScores(positive: { docs: number[]; scores: number[] }, depth: number, order: TieOrder): { docs: number[]; scores: number[] } {
  const docs = positive.docs.slice(0, depth);
  const scores = positive.scores.slice(0, depth);
  if (docs.length >= depth) return { docs, scores };
  const taken = new Set(docs);
  for (let i = 0; i < order.byId.length && docs.length < depth; i++) {
    const doc = order.byId[i]!;
    if (taken.has(doc)) continue;
    docs.push(doc);
    scores.push(0);
  }
  return { docs, scores };
}

/** Scores every document against each query through term-major lists held in memory. */
export class BruteForceRanker {
  private readonly postingDocs: Int32Array[];
  private readonly postingWeights: Float32Array[];
  private readonly scores: Float64Array;
  private readonly touched: Uint8Array;

  constructor(
    private readonly docs: readonly SparseVector[],
    dims: number,
    private readonly order: TieOrder,
  ) {
    const counts = new Int32Array(dims);
    for (const doc of docs) for (let i = 0; i < doc.indices.length; i++) counts[doc.indices[i]!]!++;
    this.postingDocs = Array.from(counts, (n) => new Int32Array(n));
    this.postingWeights = Array.from(counts, (n) => new Float32Array(n));
    const fill = new Int32Array(dims);
    docs.forEach((doc, d) => {
      for (let i = 0; i < doc.indices.length; i++) {
        const term = doc.indices[i]!;
        const at = fill[term]!++;
        this.postingDocs[term]![at] = d;
        this.postingWeights[term]![at] = doc.values[i]!;
      }
    });
    this.scores = new Float64Array(docs.length);
    this.touched = new Uint8Array(docs.length);
  }

  /** The top `depth` documents for `query` (fewer only when the corpus is smaller), best first, with their scores. */
  rank(query: SparseVector, depth: number): { docs: number[]; scores: number[] } {
    const { scores, touched } = this;
    const touchedDocs: number[] = [];
    // Terms ascending, as exactScore adds them: each document's sum is formed in the same order, bit for bit.
    for (let i = 0; i < query.indices.length; i++) {
      const term = query.indices[i]!;
      const weight = query.values[i]!;
      const postings = this.postingDocs[term];
      if (!postings) continue;
      const weights = this.postingWeights[term]!;
      for (let p = 0; p < postings.length; p++) {
        const d = postings[p]!;
        if (touched[d] === 0) {
          touched[d] = 1;
          touchedDocs.push(d);
        }
        scores[d]! += weight * weights[p]!;
      }
    }
    const top = new TopHits(depth, this.order);
    for (const d of touchedDocs) {
      const score = Math.fround(scores[d]!);
      if (score > 0) top.offer(d, score);
      scores[d] = 0;
      touched[d] = 0;
    }
    return fillWithZeroScores(top.sorted(), Math.min(depth, this.docs.length), this.order);
  }
}
