/**
 * Decoding one block of a segment page (layout in segment-format.ts): the one place that reads a block's header
 * and walks its bucketed term table. The search's scoring loop (query/block-max-search.ts `scoreBlock`) repeats the
 * term walk by hand because it is the hot path; everything else goes through here.
 */
import { TERM_BUCKET_BITS, blockLayout } from './segment-format.js';
import type { Page } from './segment-reader.js';

const LOW_MASK = (1 << TERM_BUCKET_BITS) - 1;

/**
 * Where the parts of block `b` lie, in units of the arrays that read them: the bucket table
 * `table[tableAt + 2 × bucket]` = first term entry of the bucket, `+ 1` = its first posting; term entries
 * `u16[entriesAt + j]` = low 7 bits of the term | (postings - 1) << 8; postings `u16[postingsAt + p]` = doc within
 * the block | impact << 8.
 */
export interface BlockView {
  nTerms: number;
  nPostings: number;
  /** u16 bucket table, or u32 for blocks of more than 65535 postings. */
  table: Uint16Array | Uint32Array;
  tableAt: number;
  entriesAt: number;
  postingsAt: number;
  u16: Uint16Array;
}

export function openBlock(page: Page, b: number, buckets: number): BlockView {
  const o = page.start[b - page.firstBlock]!;
  const nTerms = page.u32[o >> 2]!;
  const nPostings = page.u32[(o >> 2) + 1]!;
  const layout = blockLayout(nTerms, nPostings, buckets, o);
  return {
    nTerms,
    nPostings,
    table: layout.wide ? page.u32 : page.u16,
    tableAt: layout.wide ? layout.tableOffset >> 2 : layout.tableOffset >> 1,
    entriesAt: layout.entriesOffset >> 1,
    postingsAt: layout.postingsOffset >> 1,
    u16: page.u16,
  };
}

/**
 * Calls `visit(term, begin, end, postingsAt)` for each term of block `b` in ascending order. The term's postings
 * are `page.u16[postingsAt + p]` for p in [begin, end): doc within the block = value & 255, impact = value >> 8.
 */
export function forEachBlockTerm(
  page: Page,
  b: number,
  buckets: number,
  visit: (term: number, begin: number, end: number, postingsAt: number) => void,
): void {
  const { table, tableAt, entriesAt, postingsAt, u16 } = openBlock(page, b, buckets);
  let p = 0;
  for (let bucket = 0; bucket < buckets; bucket++) {
    const to = table[tableAt + 2 * bucket + 2]!;
    for (let j = table[tableAt + 2 * bucket]!; j < to; j++) {
      const entry = u16[entriesAt + j]!;
      const count = (entry >> 8) + 1;
      visit((bucket << TERM_BUCKET_BITS) | (entry & 0xff), p, p + count, postingsAt);
      p += count;
    }
  }
}

/**
 * Calls `visit(i, begin, end, postingsAt)` for each query term `qTerms[i]` (ascending) present in block `b`, with
 * its postings as in forEachBlockTerm. Each bucket of the block is scanned at most once, forward.
 */
export function forEachQueryTermInBlock(
  page: Page,
  b: number,
  buckets: number,
  qTerms: ArrayLike<number>,
  visit: (i: number, begin: number, end: number, postingsAt: number) => void,
): void {
  const { table, tableAt, entriesAt, postingsAt, u16 } = openBlock(page, b, buckets);
  let bucket = -1;
  let j = 0;
  let jEnd = 0;
  let p = 0;
  for (let i = 0; i < qTerms.length; i++) {
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
      visit(i, p, end, postingsAt);
      p = end;
      j++;
    }
  }
}
