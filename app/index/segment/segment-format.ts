/**
 * The segment file format (version 1): one immutable file `<name>.seg` per segment.
 *
 * A segment holds the passages of one flush or merge under local doc ids 0..n-1, reordered so that similar
 * passages sit next to each other, in blocks of `blockSize` docs (BMP: Mallia, Suel, Tonellotto, SIGIR 2024).
 *
 * ```
 * header     8-byte magic "SPLDSEG1", u32 format version, u32 0
 * blocks     the block postings, grouped in pages of `blocksPerPage` blocks (the unit of I/O, cache and CRC).
 *            Each block is a small inverted index of its docs, term-major, its terms grouped in buckets of 128
 *            ids (bucket = term >> 7) so that finding a query term touches ~3 cache lines, not a binary search:
 *              u32 nTerms, u32 nPostings,
 *              buckets + 1 pairs (first term, first posting) of each bucket (u16, or u32 when nPostings > 65535),
 *              u16 entries[nTerms]: term & 127 (ascending within a bucket) | (postings - 1) << 8,
 *              u16 postings[nPostings]: doc within the block (ascending per term) | impact (1..255) << 8,
 *              zero padding to a multiple of 4.
 *            Pairs are interleaved so that finding a term and reading its postings touches few cache lines.
 * blockmax   per present term, the max impact of the term in each block where it occurs (block-max metadata):
 *            sparse: u16 (blockCount <= 65536) or u32 block ids, then u8 max impacts, padded to 4;
 *            dense (when cheaper): u8 max impact per block (0 = absent), padded to 4.
 * blockdir   f64 start offset of every block (blockCount + 1 entries, the last one = end of the blocks), then a
 *            u32 CRC-32 per page.
 * termdir    for the present terms (ascending): u32 term ids, f64 list offsets, u32 entry counts, u32 list CRCs,
 *            u8 segment-wide max impact, u8 dense flag (each array padded to 8 bytes).
 * docs       u32 passage id per local doc, then u32 file id per local doc.
 * pidindex   u32 passage ids ascending, then the u32 local doc of each (for deletes by passage id).
 * table      JSON: {"format":1, "meta": {...}, "sections": {name: [offset, length, crc32]}}.
 * trailer    32 bytes: f64 table offset, u32 table length, u32 table CRC, u32 format version,
 *            u32 CRC of the previous 20 bytes, 8-byte magic "SPLDSEGE".
 * ```
 * All integers little-endian; sections start on 8-byte boundaries. Small sections are checked against their CRC
 * when loaded; pages and block-max lists are checked one by one when first read (lazily, so that opening a large
 * index stays fast); `SegmentReader.verify()` checks everything.
 */

export const SEGMENT_FORMAT_VERSION = 1;
export const OLDEST_SUPPORTED_SEGMENT_FORMAT = 1;
export const SEGMENT_EXTENSION = '.seg';
export const HEADER_MAGIC = 'SPLDSEG1';
export const TRAILER_MAGIC = 'SPLDSEGE';
export const HEADER_BYTES = 16;
export const TRAILER_BYTES = 32;

export const DEFAULT_BLOCK_SIZE = 16;
export const DEFAULT_BLOCKS_PER_PAGE = 4;
export const MAX_BLOCK_SIZE = 256;

export type SectionName = 'blocks' | 'blockmax' | 'blockdir' | 'termdir' | 'docs' | 'pidindex';

/** Descriptive data of a segment, stored in its section table and in the catalog. */
export interface SegmentMeta {
  name: string;
  docCount: number;
  postingCount: number;
  blockSize: number;
  blocksPerPage: number;
  blockCount: number;
  termCount: number;
  vocabSize: number;
  /** Weight of one impact unit (the index's quantizer scale). */
  scale: number;
}

export interface SectionTable {
  format: number;
  meta: SegmentMeta;
  sections: Record<SectionName, [offset: number, length: number, crc: number]>;
}

export function align(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}

/** The file name of segment `name`. */
export function segmentFileName(name: string): string {
  return name + SEGMENT_EXTENSION;
}

const NAME_PATTERN = /^seg-[0-9a-z]+-[0-9a-f]{8}$/;

/** True for names the index generates (`seg-<generation base36>-<8 hex>`), false for anything else. */
export function isSegmentName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/** Term ids are grouped in buckets of 128 inside a block (term = bucket × 128 + low byte). */
export const TERM_BUCKET_BITS = 7;

/** Number of term buckets of a vocabulary. */
export function bucketCountOf(vocabSize: number): number {
  return (vocabSize + (1 << TERM_BUCKET_BITS) - 1) >> TERM_BUCKET_BITS;
}

/**
 * Byte-level layout of a block starting at byte `o` (a multiple of 4) of a page (see the module comment). `wide`
 * blocks (more than 65535 postings) use u32 bucket tables, others u16.
 */
export function blockLayout(nTerms: number, nPostings: number, buckets: number, o: number) {
  const wide = nPostings > 0xffff;
  const tableOffset = o + 8;
  const entriesOffset = tableOffset + (wide ? 8 : 4) * (buckets + 1);
  const postingsOffset = entriesOffset + 2 * nTerms;
  const end = align(postingsOffset + 2 * nPostings, 4);
  return { wide, tableOffset, entriesOffset, postingsOffset, end };
}
