/**
 * Block-max pruning search over one segment (BMP, Mallia, Suel & Tonellotto, SIGIR 2024):
 *
 * 1. upper bound of every block = Σ over query terms of weight × the term's max impact in that block;
 * 2. blocks bucket-sorted by upper bound, best first;
 * 3. blocks scored exactly from their term-major postings until the k-th best score (the threshold) reaches the
 *    next block's upper bound. Exact mode stops only then, so its top-k equals a brute-force scan; approximate
 *    mode stops once threshold ≥ alpha × bound (and callers prune the query's light terms).
 *
 * Scores are in impact units (Σ weight × code); multiply by the quantizer scale for weights.
 */
import type { Page, SegmentReader } from '../segment/segment-reader.js';
import { blockLayout } from '../segment/segment-format.js';
import type { PreparedQuery } from './prepared-query.js';
import type { TopKHeap } from './top-k-heap.js';

/** What one segment contributes to a search. */
export interface SegmentView {
  reader: SegmentReader;
  /** Tombstones: bit d set = local doc d deleted. */
  deleted: Uint8Array | undefined;
  /** Filter: allowed[d] = 1 when local doc d passes the filter (undefined = no filter). */
  allowed?: Uint8Array | undefined;
  /** Filter per block: 0 when no doc of the block passes (lets the search skip it). */
  blockAllowed?: Uint8Array | undefined;
}

export interface BlockSearchStats {
  blocksScored: number;
  blocksTotal: number;
  postingsScored: number;
}

/** Relative slack on float32 upper bounds so rounding can never prune a block that holds a better doc. */
const BOUND_SLACK = 1 + 1e-5;
const BUCKETS = 2048;

/** Reusable buffers; one per searching thread. */
export class SearchScratch {
  ub = new Float32Array(0);
  bucketStart = new Uint32Array(BUCKETS + 1);
  order = new Uint32Array(0);
  acc = new Float64Array(256);
  /** query position of each term id, or -1 (for the linear block scan). */
  queryPosition = new Int32Array(0);

  ensure(blocks: number, vocab: number): void {
    if (this.ub.length < blocks) {
      this.ub = new Float32Array(blocks);
      this.order = new Uint32Array(blocks);
    }
    if (this.queryPosition.length < vocab) this.queryPosition = new Int32Array(vocab).fill(-1);
  }
}

/**
 * Searches one segment, offering its docs to `heap` with keys `slot × 2^32 + doc`. `alpha` = 1 is exact.
 */
export function searchSegment(
  view: SegmentView,
  slot: number,
  query: PreparedQuery,
  heap: TopKHeap,
  alpha: number,
  scratch: SearchScratch,
  stats: BlockSearchStats,
): void {
  const reader = view.reader;
  const blockCount = reader.blockCount;
  const vocab = reader.meta.vocabSize;
  scratch.ensure(blockCount, vocab);
  const ub = scratch.ub;
  ub.fill(0, 0, blockCount);
  const qTerms = query.terms;
  const qWeights = query.weights;
  const nq = qTerms.length;
  // Quick reject: the segment-wide bound.
  let segmentBound = 0;
  for (let i = 0; i < nq; i++) {
    const term = qTerms[i]!;
    if (term < vocab) segmentBound += qWeights[i]! * reader.termMax[term]!;
  }
  stats.blocksTotal += blockCount;
  if (segmentBound === 0 || segmentBound * alpha * BOUND_SLACK <= heap.threshold) return;

  for (let i = 0; i < nq; i++) {
    const term = qTerms[i]!;
    if (term >= vocab || reader.termMax[term] === 0) continue;
    const list = reader.blockMax(term)!;
    const w = qWeights[i]!;
    const dense = list.dense;
    if (dense !== null) {
      for (let b = 0; b < blockCount; b++) ub[b]! += w * dense[b]!;
    } else {
      const ids = list.ids!;
      const max = list.max!;
      for (let e = 0, n = list.count; e < n; e++) ub[ids[e]!]! += w * max[e]!;
    }
  }
  const blockAllowed = view.blockAllowed;
  if (blockAllowed) for (let b = 0; b < blockCount; b++) if (blockAllowed[b] === 0) ub[b] = 0;

  // Bucket sort of the blocks with a non-zero bound, best bucket first.
  let maxUb = 0;
  for (let b = 0; b < blockCount; b++) if (ub[b]! > maxUb) maxUb = ub[b]!;
  if (maxUb === 0) return;
  const bucketStart = scratch.bucketStart;
  bucketStart.fill(0);
  const toBucket = (BUCKETS - 1) / maxUb;
  for (let b = 0; b < blockCount; b++) {
    const u = ub[b]!;
    if (u > 0) bucketStart[BUCKETS - 1 - Math.floor(u * toBucket) + 1]!++;
  }
  for (let i = 0; i < BUCKETS; i++) bucketStart[i + 1]! += bucketStart[i]!;
  const nonEmpty = bucketStart[BUCKETS]!;
  const order = scratch.order;
  const fill = scratch.bucketStart.slice(0, BUCKETS);
  for (let b = 0; b < blockCount; b++) {
    const u = ub[b]!;
    if (u > 0) order[fill[BUCKETS - 1 - Math.floor(u * toBucket)]!++] = b;
  }

  const blockSize = reader.blockSize;
  if (scratch.acc.length < blockSize) scratch.acc = new Float64Array(blockSize);
  const acc = scratch.acc;
  const deleted = view.deleted;
  const allowed = view.allowed;
  const slotBase = slot * 4294967296;
  const queryPosition = scratch.queryPosition;
  for (let i = 0; i < nq; i++) if (qTerms[i]! < queryPosition.length) queryPosition[qTerms[i]!] = i;
  const boundFactor = alpha * BOUND_SLACK;
  let threshold = heap.threshold;
  let page: Page | undefined;
  try {
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      const from = bucketStart[bucket]!;
      const to = bucketStart[bucket + 1]!;
      if (from === to) continue;
      // Every block in this bucket has ub <= this upper edge.
      const edge = ((BUCKETS - bucket) / (BUCKETS - 1)) * maxUb;
      if (edge * boundFactor <= threshold) break;
      for (let j = from; j < to; j++) {
        const b = order[j]!;
        if (ub[b]! * boundFactor <= threshold) continue;
        if (page === undefined || b < page.firstBlock || b >= page.firstBlock + page.start.length - 1) page = reader.pageOf(b);
        stats.blocksScored++;
        stats.postingsScored += scoreBlock(page, b, qTerms, qWeights, queryPosition, acc);
        const first = b * blockSize;
        const docsInBlock = Math.min(blockSize, reader.docCount - first);
        for (let d = 0; d < docsInBlock; d++) {
          const score = acc[d]!;
          if (score === 0) continue;
          acc[d] = 0;
          if (score <= threshold) continue;
          const doc = first + d;
          if (deleted !== undefined && (deleted[doc >> 3]! & (1 << (doc & 7))) !== 0) continue;
          if (allowed !== undefined && allowed[doc] === 0) continue;
          threshold = heap.push(score, slotBase + doc);
        }
      }
      if (nonEmpty === to) break;
    }
  } finally {
    for (let i = 0; i < nq; i++) if (qTerms[i]! < queryPosition.length) queryPosition[qTerms[i]!] = -1;
  }
}

/**
 * Adds every query term's postings in block `b` to `acc[docInBlock]`; returns the number of postings read.
 * Finds the query terms among the block's terms by binary search when the query is short relative to the block,
 * else by one linear pass with a term → query-position table.
 */
export function scoreBlock(
  page: Page,
  b: number,
  qTerms: Uint32Array,
  qWeights: Float64Array,
  queryPosition: Int32Array,
  acc: Float64Array,
): number {
  const o = page.start[b - page.firstBlock]!;
  const u32 = page.u32;
  const u16 = page.u16;
  const u8 = page.u8;
  const nTerms = u32[o >> 2]!;
  const nPostings = u32[(o >> 2) + 1]!;
  const layout = blockLayout(nTerms, nPostings, o);
  const termsAt = layout.termsOffset >> 1;
  const wide = layout.wide;
  const endsAt = wide ? layout.endsOffset >> 2 : layout.endsOffset >> 1;
  const docsAt = layout.docsOffset;
  const impactsAt = layout.impactsOffset;
  const nq = qTerms.length;
  let read = 0;
  if (nq * 14 < nTerms) {
    let lo = 0;
    for (let i = 0; i < nq && lo < nTerms; i++) {
      const term = qTerms[i]!;
      let hi = nTerms;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (u16[termsAt + mid]! < term) lo = mid + 1;
        else hi = mid;
      }
      if (lo < nTerms && u16[termsAt + lo] === term) {
        const begin = lo === 0 ? 0 : wide ? u32[endsAt + lo - 1]! : u16[endsAt + lo - 1]!;
        const end = wide ? u32[endsAt + lo]! : u16[endsAt + lo]!;
        const w = qWeights[i]!;
        for (let p = begin; p < end; p++) acc[u8[docsAt + p]!]! += w * u8[impactsAt + p]!;
        read += end - begin;
        lo++;
      }
    }
  } else {
    let begin = 0;
    for (let j = 0; j < nTerms; j++) {
      const end = wide ? u32[endsAt + j]! : u16[endsAt + j]!;
      const position = queryPosition[u16[termsAt + j]!]!;
      if (position >= 0) {
        const w = qWeights[position]!;
        for (let p = begin; p < end; p++) acc[u8[docsAt + p]!]! += w * u8[impactsAt + p]!;
        read += end - begin;
      }
      begin = end;
    }
  }
  return read;
}

/** The matched terms of local doc `doc` and their impacts (for per-term contributions of a hit). */
export function docTermImpacts(reader: SegmentReader, doc: number, qTerms: Uint32Array): { terms: number[]; impacts: number[] } {
  const b = Math.floor(doc / reader.blockSize);
  const inBlock = doc - b * reader.blockSize;
  const page = reader.pageOf(b);
  const o = page.start[b - page.firstBlock]!;
  const nTerms = page.u32[o >> 2]!;
  const nPostings = page.u32[(o >> 2) + 1]!;
  const layout = blockLayout(nTerms, nPostings, o);
  const terms: number[] = [];
  const impacts: number[] = [];
  let lo = 0;
  for (let i = 0; i < qTerms.length; i++) {
    const term = qTerms[i]!;
    let hi = nTerms;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (page.u16[(layout.termsOffset >> 1) + mid]! < term) lo = mid + 1;
      else hi = mid;
    }
    if (lo < nTerms && page.u16[(layout.termsOffset >> 1) + lo] === term) {
      const endAt = (index: number) => (layout.wide ? page.u32[(layout.endsOffset >> 2) + index]! : page.u16[(layout.endsOffset >> 1) + index]!);
      const begin = lo === 0 ? 0 : endAt(lo - 1);
      const end = endAt(lo);
      for (let p = begin; p < end; p++) {
        const d = page.u8[layout.docsOffset + p]!;
        if (d === inBlock) {
          terms.push(term);
          impacts.push(page.u8[layout.impactsOffset + p]!);
          break;
        }
        if (d > inBlock) break;
      }
    }
  }
  return { terms, impacts };
}
