/**
 * An in-memory copy of the kept full-precision passage vectors, for exact scans without reading the catalog's blobs
 * (10,000 passages of a dense model are 45 MB of blobs: ~300 ms from SQLite).
 *
 * Held term by term (inverted), so that a scan touches only the postings of the query's terms — the terms a query
 * shares with a passage — instead of every stored term: a dense model's passage holds ~1,840 terms of which a query
 * shares ~560, so a scan does a third of the work (70 ms → ~15 ms on 10,000 passages). Accumulating each passage's
 * products in ascending term order, as `sparseDot` adds them, keeps every score bit-identical to it.
 *
 * Followed incrementally: passage rows never change once written (an update deletes them and inserts new ids;
 * AUTOINCREMENT never reuses one), so at a new commit only the live id list is read again. Vanished passages are
 * flagged dead in the inverted `base`; new ones are loaded into a small forward `delta` scored one vector at a time.
 * When the delta or the dead postings grow past a share of the base, base and delta are rebuilt into one inverted
 * base (a counting sort, about as long as one forward scan). Held only while the copy fits `budgetBytes` (8 bytes a
 * posting); an index past it is scanned from the catalog instead, and nothing stays in memory.
 */
import { decodeVectorBlob, type CatalogQueries } from './catalog/catalog.js';

/** Default memory budget of the copy. */
export const RESIDENT_VECTORS_BUDGET = 256 * 1024 * 1024;

export interface ResidentVectorsOptions {
  /** Memory the copy may hold (default 256 MiB). */
  budgetBytes?: number;
  /** The delta is merged into the base once it holds this many postings (default 100,000)... */
  deltaMinPostings?: number;
  /** ...and this share of the base's live postings (default 0.1). */
  deltaShare?: number;
  /** The base is compacted once this share of its postings belongs to vanished passages (default 0.5). */
  deadShare?: number;
}

/** The catalog reads the copy needs (a test gives a fake). */
export type VectorSource = Pick<CatalogQueries, 'liveVectorIds' | 'passageVectorBlobs'>;
/** Bytes a passage costs besides its postings (ids, file id, flag, accumulator, map entry). */
const PASSAGE_BYTES = 64;

interface ForwardVector {
  fileId: number;
  ids: Uint32Array;
  values: Float32Array;
}

/** Passages as postings lists: term t's postings are `docs`/`weights` from `termStart[t]` to `termStart[t + 1]`. */
interface InvertedBase {
  /** Passage id and file id of each ordinal. */
  passageIds: Float64Array;
  fileIds: Float64Array;
  /** 1 while the ordinal's passage is live. */
  live: Uint8Array;
  ordinalOf: Map<number, number>;
  termStart: Uint32Array;
  docs: Uint32Array;
  weights: Float32Array;
  /** Postings of vanished passages. */
  deadPostings: number;
  postingsOf: Uint32Array;
}

export interface ScoredPassage {
  passageId: number;
  score: number;
}

const EMPTY_BASE = (vocabSize: number): InvertedBase => ({
  passageIds: new Float64Array(0),
  fileIds: new Float64Array(0),
  live: new Uint8Array(0),
  ordinalOf: new Map(),
  termStart: new Uint32Array(vocabSize + 1),
  docs: new Uint32Array(0),
  weights: new Float32Array(0),
  deadPostings: 0,
  postingsOf: new Uint32Array(0),
});

export class ResidentVectors {
  private base: InvertedBase | undefined;
  private delta = new Map<number, ForwardVector>();
  private generation = -1;
  private vocabSize = 0;
  private bytes = 0;
  private overBudget = false;
  /** Rebuilds of the base so far (for tests and diagnostics). */
  rebuilds = 0;
  private readonly budgetBytes: number;
  private readonly deltaMinPostings: number;
  private readonly deltaShare: number;
  private readonly deadShare: number;

  constructor(options: ResidentVectorsOptions = {}) {
    this.budgetBytes = options.budgetBytes ?? RESIDENT_VECTORS_BUDGET;
    this.deltaMinPostings = options.deltaMinPostings ?? 100_000;
    this.deltaShare = options.deltaShare ?? 0.1;
    this.deadShare = options.deadShare ?? 0.5;
  }

  /**
   * Brings the copy to the catalog's committed `generation`; false when it would exceed the budget (the caller scans
   * the catalog instead). Call inside the caller's read transaction so that the id list and the blobs agree.
   */
  update(catalog: VectorSource, generation: number, vocabSize: number): boolean {
    if (generation === this.generation && vocabSize === this.vocabSize) return !this.overBudget;
    if (vocabSize !== this.vocabSize) this.drop();
    this.vocabSize = vocabSize;
    const base = (this.base ??= EMPTY_BASE(vocabSize));
    const live = catalog.liveVectorIds();
    const stillLive = new Uint8Array(base.live.length);
    const delta = new Map<number, ForwardVector>();
    const missing: number[] = [];
    const fileOf = new Map<number, number>();
    let deltaPostings = 0;
    for (const [id, fileId] of live) {
      const ordinal = base.ordinalOf.get(id);
      if (ordinal !== undefined) {
        stillLive[ordinal] = 1;
        base.fileIds[ordinal] = fileId;
        continue;
      }
      const kept = this.delta.get(id);
      if (kept) {
        kept.fileId = fileId;
        delta.set(id, kept);
        deltaPostings += kept.ids.length;
      } else {
        missing.push(id);
        fileOf.set(id, fileId);
      }
    }
    for (let ordinal = 0; ordinal < stillLive.length; ordinal++) {
      if (base.live[ordinal] === 1 && stillLive[ordinal] === 0) base.deadPostings += base.postingsOf[ordinal]!;
    }
    base.live = stillLive;
    this.delta = delta;
    this.generation = generation;
    let bytes = this.baseBytes(base) + 8 * deltaPostings + PASSAGE_BYTES * delta.size;
    for (let i = 0; i < missing.length && bytes <= this.budgetBytes; i += 1000) {
      for (const [id, blob] of catalog.passageVectorBlobs(missing.slice(i, i + 1000))) {
        const { indices, values } = decodeVectorBlob(blob);
        delta.set(id, { fileId: fileOf.get(id)!, ids: indices, values });
        deltaPostings += indices.length;
        bytes += 8 * indices.length + PASSAGE_BYTES;
      }
    }
    if (bytes > this.budgetBytes) {
      this.drop();
      this.overBudget = true;
      this.generation = generation;
      return false;
    }
    this.overBudget = false;
    const basePostings = base.docs.length - base.deadPostings;
    if (base.deadPostings > this.deadShare * base.docs.length || (deltaPostings >= this.deltaMinPostings && deltaPostings > this.deltaShare * basePostings)) {
      this.base = rebuild(base, delta, vocabSize);
      this.rebuilds++;
      this.delta = new Map();
      deltaPostings = 0;
    }
    this.bytes = this.baseBytes(this.base!) + 8 * deltaPostings + PASSAGE_BYTES * this.delta.size;
    return true;
  }

  /**
   * Exact dot products of the query with every live passage whose file `allowed` marks 1 (all when undefined),
   * positive scores only, unordered. `dense` is the query as a dense array over the vocabulary. With `atLeast`, only
   * the passages scoring at least the `atLeast`-th highest score (ties included) are returned: the caller wants the
   * first few, and 10,000 result objects cost more than picking the cut from the scores themselves.
   */
  score(dense: Float64Array, allowed: Uint8Array | undefined, atLeast?: number): ScoredPassage[] {
    const base = this.base;
    const acc = base ? scoreBase(base, dense, allowed) : new Float64Array(0);
    const deltaScores = this.scoreDelta(dense, allowed);
    const cut = atLeast === undefined ? 0 : cutScore(acc, deltaScores, atLeast);
    const out: ScoredPassage[] = [];
    for (let ordinal = 0; ordinal < acc.length; ordinal++) {
      const score = acc[ordinal]!;
      if (score > 0 && score >= cut) out.push({ passageId: base!.passageIds[ordinal]!, score });
    }
    for (const entry of deltaScores) if (entry.score >= cut) out.push(entry);
    return out;
  }

  /** The delta's passages, scored one forward vector at a time (positive scores of allowed files). */
  private scoreDelta(dense: Float64Array, allowed: Uint8Array | undefined): ScoredPassage[] {
    const out: ScoredPassage[] = [];
    for (const [passageId, vector] of this.delta) {
      if (allowed && allowed[vector.fileId] !== 1) continue;
      const score = forwardDot(dense, vector);
      if (score > 0) out.push({ passageId, score });
    }
    return out;
  }

  /** Bytes held (0 while over budget or before the first scan). */
  get heldBytes(): number {
    return this.overBudget ? 0 : this.bytes;
  }

  private drop(): void {
    this.base = undefined;
    this.delta = new Map();
    this.bytes = 0;
  }

  private baseBytes(base: InvertedBase): number {
    return 8 * base.docs.length + 4 * base.termStart.length + PASSAGE_BYTES * base.passageIds.length;
  }
}

/**
 * Each ordinal's exact dot product with the query (0 for vanished passages and files `allowed` leaves out). Term at a
 * time in ascending term order: each passage receives its products in the order sparseDot adds them. A passage
 * occurs once per term, so the four-way unrolled loop (a third faster) changes no passage's order.
 */
function scoreBase(base: InvertedBase, dense: Float64Array, allowed: Uint8Array | undefined): Float64Array {
  const acc = new Float64Array(base.passageIds.length);
  const { termStart, docs, weights, live, fileIds } = base;
  const terms = Math.min(dense.length, termStart.length - 1);
  for (let t = 0; t < terms; t++) {
    const q = dense[t]!;
    if (q === 0) continue;
    const end = termStart[t + 1]!;
    let p = termStart[t]!;
    for (; p + 3 < end; p += 4) {
      const d0 = docs[p]!;
      const d1 = docs[p + 1]!;
      const d2 = docs[p + 2]!;
      const d3 = docs[p + 3]!;
      acc[d0]! += q * weights[p]!;
      acc[d1]! += q * weights[p + 1]!;
      acc[d2]! += q * weights[p + 2]!;
      acc[d3]! += q * weights[p + 3]!;
    }
    for (; p < end; p++) acc[docs[p]!]! += q * weights[p]!;
  }
  for (let ordinal = 0; ordinal < acc.length; ordinal++) {
    if (live[ordinal] !== 1 || (allowed && allowed[fileIds[ordinal]!] !== 1)) acc[ordinal] = 0;
  }
  return acc;
}

/** One inverted base from the live passages of `base` (in their order) followed by those of `delta`. */
function rebuild(base: InvertedBase, delta: ReadonlyMap<number, ForwardVector>, vocabSize: number): InvertedBase {
  const counts = new Uint32Array(vocabSize + 1);
  const liveOrdinals: number[] = [];
  for (let ordinal = 0; ordinal < base.passageIds.length; ordinal++) if (base.live[ordinal] === 1) liveOrdinals.push(ordinal);
  const passages = liveOrdinals.length + delta.size;
  const renumbered = new Int32Array(base.passageIds.length).fill(-1);
  const passageIds = new Float64Array(passages);
  const fileIds = new Float64Array(passages);
  const postingsOf = new Uint32Array(passages);
  const ordinalOf = new Map<number, number>();
  let next = 0;
  for (const ordinal of liveOrdinals) {
    renumbered[ordinal] = next;
    passageIds[next] = base.passageIds[ordinal]!;
    fileIds[next] = base.fileIds[ordinal]!;
    postingsOf[next] = base.postingsOf[ordinal]!;
    ordinalOf.set(passageIds[next]!, next);
    next++;
  }
  for (let t = 0; t < vocabSize; t++) {
    for (let p = base.termStart[t]!; p < base.termStart[t + 1]!; p++) if (base.live[base.docs[p]!] === 1) counts[t]!++;
  }
  for (const [id, vector] of delta) {
    passageIds[next] = id;
    fileIds[next] = vector.fileId;
    postingsOf[next] = vector.ids.length;
    ordinalOf.set(id, next);
    next++;
    // Terms past the vocabulary can never meet a query term (the dense query has none there): not held.
    for (let i = 0; i < vector.ids.length; i++) if (vector.ids[i]! < vocabSize) counts[vector.ids[i]!]!++;
  }
  const termStart = new Uint32Array(vocabSize + 1);
  for (let t = 0; t < vocabSize; t++) termStart[t + 1] = termStart[t]! + counts[t]!;
  const total = termStart[vocabSize]!;
  const docs = new Uint32Array(total);
  const weights = new Float32Array(total);
  const fill = termStart.slice(0, vocabSize);
  for (let t = 0; t < vocabSize; t++) {
    for (let p = base.termStart[t]!; p < base.termStart[t + 1]!; p++) {
      const ordinal = renumbered[base.docs[p]!]!;
      if (ordinal < 0) continue;
      const at = fill[t]!++;
      docs[at] = ordinal;
      weights[at] = base.weights[p]!;
    }
  }
  let ordinal = liveOrdinals.length;
  for (const vector of delta.values()) {
    for (let i = 0; i < vector.ids.length; i++) {
      const t = vector.ids[i]!;
      if (t >= vocabSize) continue;
      const at = fill[t]!++;
      docs[at] = ordinal;
      weights[at] = vector.values[i]!;
    }
    ordinal++;
  }
  return { passageIds, fileIds, live: new Uint8Array(passages).fill(1), ordinalOf, termStart, docs, weights, deadPostings: 0, postingsOf };
}

/** The `count`-th highest positive score among `scores` and `more` (0 when there are fewer positive ones). */
function cutScore(scores: Float64Array, more: readonly ScoredPassage[], count: number): number {
  if (count <= 0) return Infinity;
  const all = new Float64Array(scores.length + more.length);
  all.set(scores);
  for (let i = 0; i < more.length; i++) all[scores.length + i] = more[i]!.score;
  all.sort();
  const at = all.length - count;
  return at < 0 || all[at]! <= 0 ? 0 : all[at]!;
}

/** Dot product of a dense query with a forward vector: the same additions, in the same order, as `sparseDot`. */
function forwardDot(dense: Float64Array, vector: ForwardVector): number {
  const { ids, values } = vector;
  let sum = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id < dense.length) sum += dense[id]! * values[i]!;
  }
  return sum;
}
