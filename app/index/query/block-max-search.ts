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
import { TERM_BUCKET_BITS, bucketCountOf } from '../segment/segment-format.js';
import { forEachQueryTermInBlock, openBlock } from '../segment/block-decoder.js';
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
  /** Milliseconds spent computing block upper bounds and ordering blocks. */
  boundMs: number;
  /** Milliseconds spent scoring blocks. */
  scoreMs: number;
}

/**
 * Relative slack on the float32 block bounds so that rounding can never prune a block holding a better doc: a sum
 * of n positive float32 terms is off by at most about n × 2^-24 of its value (doubled here, plus a margin for the
 * float64 doc scores).
 */
function boundSlack(terms: number): number {
  return 1 + (terms + 2) * 2 * 2 ** -24 + 1e-9;
}
const BUCKETS = 2048;

/** Reusable buffers; one per searching thread. */
export class SearchScratch {
  ub = new Float32Array(0);
  bucketStart = new Uint32Array(BUCKETS + 1);
  order = new Uint32Array(0);
  acc = new Float64Array(256);

  ensure(blocks: number): void {
    if (this.ub.length < blocks) {
      this.ub = new Float32Array(blocks);
      this.order = new Uint32Array(blocks);
    }
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
  scoreQuery: PreparedQuery = query,
): void {
  const reader = view.reader;
  const blockCount = reader.blockCount;
  const vocab = reader.meta.vocabSize;
  scratch.ensure(blockCount);
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
  const slack = boundSlack(nq);
  if (segmentBound === 0 || segmentBound * alpha * slack <= heap.threshold) return;

  const boundStart = performance.now();
  // Dense lists (frequent terms) are added four at a time: one read-modify-write of the bounds per block instead
  // of four, which is most of the cost of this pass.
  const denseLists: Uint8Array[] = [];
  const denseWeights: number[] = [];
  for (let i = 0; i < nq; i++) {
    const term = qTerms[i]!;
    if (term >= vocab || reader.termMax[term] === 0) continue;
    const list = reader.blockMax(term)!;
    const w = qWeights[i]!;
    if (list.dense !== null) {
      denseLists.push(list.dense);
      denseWeights.push(w);
    } else {
      const ids = list.ids!;
      const max = list.max!;
      for (let e = 0, n = list.count; e < n; e++) ub[ids[e]!]! += w * max[e]!;
    }
  }
  addDenseBounds(ub, blockCount, denseLists, denseWeights);
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

  const scoreStart = performance.now();
  stats.boundMs += scoreStart - boundStart;
  const blockSize = reader.blockSize;
  const buckets = bucketCountOf(vocab);
  if (scratch.acc.length < blockSize) scratch.acc = new Float64Array(blockSize);
  const acc = scratch.acc;
  const deleted = view.deleted;
  const allowed = view.allowed;
  const slotBase = slot * 4294967296;
  const boundFactor = alpha * slack;
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
        stats.postingsScored += scoreBlock(page, b, buckets, scoreQuery.terms, scoreQuery.weights, acc);
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
    stats.scoreMs += performance.now() - scoreStart;
  }
}

/**
 * ub[b] += Σ weights[i] × lists[i][b]. Four lists per pass, each read four blocks at a time as one u32 (dense
 * lists are 4-byte aligned and padded to a multiple of 4): a quarter of the loads and of the bound
 * read-modify-writes of the naive loop, which is most of this pass's cost.
 */
function addDenseBounds(ub: Float32Array, blockCount: number, lists: Uint8Array[], weights: number[]): void {
  const quads = blockCount >> 2;
  const tail = quads << 2;
  let i = 0;
  for (; i < lists.length; i += 4) {
    const n = Math.min(4, lists.length - i);
    const a0 = lists[i]!;
    const a1 = n > 1 ? lists[i + 1]! : a0;
    const a2 = n > 2 ? lists[i + 2]! : a0;
    const a3 = n > 3 ? lists[i + 3]! : a0;
    const w0 = weights[i]!;
    const w1 = n > 1 ? weights[i + 1]! : 0;
    const w2 = n > 2 ? weights[i + 2]! : 0;
    const w3 = n > 3 ? weights[i + 3]! : 0;
    const d0 = new Uint32Array(a0.buffer, a0.byteOffset, quads);
    const d1 = new Uint32Array(a1.buffer, a1.byteOffset, quads);
    const d2 = new Uint32Array(a2.buffer, a2.byteOffset, quads);
    const d3 = new Uint32Array(a3.buffer, a3.byteOffset, quads);
    for (let k = 0; k < quads; k++) {
      const x0 = d0[k]!;
      const x1 = d1[k]!;
      const x2 = d2[k]!;
      const x3 = d3[k]!;
      const o = k << 2;
      ub[o]! += w0 * (x0 & 255) + w1 * (x1 & 255) + w2 * (x2 & 255) + w3 * (x3 & 255);
      ub[o + 1]! += w0 * ((x0 >>> 8) & 255) + w1 * ((x1 >>> 8) & 255) + w2 * ((x2 >>> 8) & 255) + w3 * ((x3 >>> 8) & 255);
      ub[o + 2]! += w0 * ((x0 >>> 16) & 255) + w1 * ((x1 >>> 16) & 255) + w2 * ((x2 >>> 16) & 255) + w3 * ((x3 >>> 16) & 255);
      ub[o + 3]! += w0 * (x0 >>> 24) + w1 * (x1 >>> 24) + w2 * (x2 >>> 24) + w3 * (x3 >>> 24);
    }
    for (let b = tail; b < blockCount; b++) ub[b]! += w0 * a0[b]! + w1 * a1[b]! + w2 * a2[b]! + w3 * a3[b]!;
  }
}

/**
 * Adds every query term's postings in block `b` to `acc[docInBlock]`; returns the number of postings read. Query
 * terms are ascending, so each term bucket of the block is scanned at most once, forward.
 */
export function scoreBlock(page: Page, b: number, buckets: number, qTerms: Uint32Array, qWeights: Float64Array, acc: Float64Array): number {
  // The term walk of forEachQueryTermInBlock, inlined by hand: this loop is most of a search's time.
  const { table, tableAt, entriesAt, postingsAt, u16 } = openBlock(page, b, buckets);
  const nq = qTerms.length;
  let read = 0;
  let bucket = -1;
  let j = 0;
  let jEnd = 0;
  let p = 0;
  for (let i = 0; i < nq; i++) {
    const term = qTerms[i]!;
    const termBucket = term >> TERM_BUCKET_BITS;
    if (termBucket !== bucket) {
      if (termBucket >= buckets) break;
      bucket = termBucket;
      j = table[tableAt + 2 * bucket]!;
      p = table[tableAt + 2 * bucket + 1]!;
      jEnd = table[tableAt + 2 * bucket + 2]!;
    }
    const low = term & LOW_MASK;
    let entry = 0;
    while (j < jEnd && ((entry = u16[entriesAt + j]!) & 0xff) < low) {
      p += (entry >> 8) + 1;
      j++;
    }
    if (j < jEnd && (entry & 0xff) === low) {
      const end = p + (entry >> 8) + 1;
      const w = qWeights[i]!;
      for (let q = postingsAt + p, qEnd = postingsAt + end; q < qEnd; q++) {
        const posting = u16[q]!;
        acc[posting & 0xff]! += w * (posting >> 8);
      }
      read += end - p;
      p = end;
      j++;
    }
  }
  return read;
}

const LOW_MASK = (1 << TERM_BUCKET_BITS) - 1;

/** The matched terms of local doc `doc` and their impacts (for per-term contributions of a hit). */
export function docTermImpacts(reader: SegmentReader, doc: number, qTerms: Uint32Array): { terms: number[]; impacts: number[] } {
  const b = Math.floor(doc / reader.blockSize);
  const inBlock = doc - b * reader.blockSize;
  const page = reader.pageOf(b);
  const u16 = page.u16;
  const terms: number[] = [];
  const impacts: number[] = [];
  forEachQueryTermInBlock(page, b, bucketCountOf(reader.meta.vocabSize), qTerms, (i, begin, end, postingsAt) => {
    for (let q = begin; q < end; q++) {
      const posting = u16[postingsAt + q]!;
      const d = posting & 0xff;
      if (d === inBlock) {
        terms.push(qTerms[i]!);
        impacts.push(posting >> 8);
      }
      if (d >= inBlock) break;
    }
  });
  return { terms, impacts };
}
