/**
 * Reads a segment file: directories at open (small), pages of blocks and block-max lists on demand through a
 * shared byte-bounded LRU, each checked against its CRC-32 when first read. Opening never loads the postings.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { IndexCorruptError, IndexError } from '../index-errors.js';
import { crc32 } from 'node:zlib';
import type { ByteLru } from '../storage/byte-lru.js';
import {
  HEADER_MAGIC,
  OLDEST_SUPPORTED_SEGMENT_FORMAT,
  SEGMENT_FORMAT_VERSION,
  TRAILER_BYTES,
  TRAILER_MAGIC,
  bucketCountOf,
  type SectionName,
  type SectionTable,
  type SegmentMeta,
} from './segment-format.js';
import { forEachBlockTerm, openBlock } from './block-decoder.js';

/** One term's block maxima in a segment: either dense (one u8 per block, 0 = absent) or sparse (ids + maxima). */
export interface BlockMaxList {
  count: number;
  dense: Uint8Array | null;
  ids: Uint16Array | Uint32Array | null;
  max: Uint8Array | null;
}

/** A page of blocks in memory; `start[b - firstBlock]` is the byte offset of block b in `u8`. */
export interface Page {
  firstBlock: number;
  u8: Uint8Array;
  u16: Uint16Array;
  u32: Uint32Array;
  start: Uint32Array;
}

export type CachedItem = BlockMaxList | Page | Uint32Array;

let nextCacheId = 1;

export class SegmentReader {
  readonly meta: SegmentMeta;
  readonly name: string;
  readonly path: string;
  readonly byteSize: number;
  private fd: number | undefined;
  private readonly sections: SectionTable['sections'];
  private readonly blockOffsets: Float64Array;
  private readonly pageCrcs: Uint32Array;
  /** term id → index into the term directory, or -1. */
  private readonly termSlot: Int32Array;
  private readonly dirOffsets: Float64Array;
  private readonly dirCounts: Uint32Array;
  private readonly dirCrcs: Uint32Array;
  /** Segment-wide maximum impact per term id (0 = absent). */
  readonly termMax: Uint8Array;
  private readonly dirDense: Uint8Array;
  private readonly cacheBase: number;
  /** Pages / block-max lists whose CRC was checked once already: the file is immutable, re-reads skip it. */
  private readonly pageChecked: Uint8Array;
  private readonly listChecked: Uint8Array;
  private docsCache: { pids: Uint32Array; fileIds: Uint32Array } | undefined;
  private pidIndexCache: { pids: Uint32Array; docs: Uint32Array } | undefined;
  private refs = 1;

  private constructor(
    path: string,
    name: string,
    private readonly cache: ByteLru<CachedItem>,
    fd: number,
    size: number,
    table: SectionTable,
  ) {
    this.path = path;
    this.name = name;
    this.fd = fd;
    this.byteSize = size;
    this.meta = table.meta;
    this.sections = table.sections;
    this.cacheBase = nextCacheId++ * 2 ** 32;
    const blockCount = this.meta.blockCount;
    const pageCount = Math.ceil(blockCount / this.meta.blocksPerPage);
    const blockdir = this.readSection('blockdir');
    this.blockOffsets = new Float64Array(blockdir.buffer, 0, blockCount + 1);
    this.pageCrcs = new Uint32Array(blockdir.buffer, alignUp((blockCount + 1) * 8, 8), pageCount);
    const termdir = this.readSection('termdir');
    const m = this.meta.termCount;
    let offset = 0;
    const take = <T>(make: (o: number) => T, bytes: number): T => {
      const value = make(offset);
      offset = alignUp(offset + bytes, 8);
      return value;
    };
    const terms = take((o) => new Uint32Array(termdir.buffer, o, m), 4 * m);
    this.dirOffsets = take((o) => new Float64Array(termdir.buffer, o, m), 8 * m);
    this.dirCounts = take((o) => new Uint32Array(termdir.buffer, o, m), 4 * m);
    this.dirCrcs = take((o) => new Uint32Array(termdir.buffer, o, m), 4 * m);
    const maxByTerm = take((o) => new Uint8Array(termdir.buffer, o, m), m);
    this.dirDense = take((o) => new Uint8Array(termdir.buffer, o, m), m);
    this.pageChecked = new Uint8Array(pageCount);
    this.listChecked = new Uint8Array(m);
    this.termSlot = new Int32Array(this.meta.vocabSize).fill(-1);
    this.termMax = new Uint8Array(this.meta.vocabSize);
    for (let j = 0; j < m; j++) {
      const term = terms[j]!;
      if (term >= this.meta.vocabSize) this.corrupt(`term directory names term ${term} outside the vocabulary`);
      this.termSlot[term] = j;
      this.termMax[term] = maxByTerm[j]!;
    }
  }

  /**
   * Opens segment `name` at `path`. `expectedSize` (from the catalog) detects truncation before anything else.
   * Throws IndexCorruptError naming the file on any structural problem.
   */
  static open(path: string, name: string, cache: ByteLru<CachedItem>, expectedSize?: number): SegmentReader {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new IndexCorruptError(`Cannot open segment ${name}: ${path} is missing`, path, name, 'missing');
      throw error;
    }
    try {
      const size = fstatSync(fd).size;
      const fail = (problem: string): never => {
        throw new IndexCorruptError(`Cannot open segment ${name} (${path}): ${problem}`, path, name);
      };
      if (expectedSize !== undefined && size !== expectedSize) {
        fail(`file is ${size} bytes, the index recorded ${expectedSize}${size < expectedSize ? ' (truncated)' : ''}`);
      }
      if (size < 16 + TRAILER_BYTES) fail(`file is only ${size} bytes (truncated)`);
      const head = readAt(fd, 0, 16);
      if (Buffer.from(head.subarray(0, 8)).toString('latin1') !== HEADER_MAGIC) fail('bad header magic (not a segment file)');
      const trailer = readAt(fd, size - TRAILER_BYTES, TRAILER_BYTES);
      if (Buffer.from(trailer.subarray(24, 32)).toString('latin1') !== TRAILER_MAGIC) fail('bad trailer magic (truncated or overwritten)');
      const view = new DataView(trailer.buffer, trailer.byteOffset, TRAILER_BYTES);
      if (view.getUint32(20, true) !== crc32(trailer.subarray(0, 20))) fail('trailer checksum mismatch');
      const version = view.getUint32(16, true);
      if (version > SEGMENT_FORMAT_VERSION || version < OLDEST_SUPPORTED_SEGMENT_FORMAT) {
        throw new IndexError(
          'format-unsupported',
          `Cannot open segment ${name} (${path}): format version ${version}, this build reads ${OLDEST_SUPPORTED_SEGMENT_FORMAT}..${SEGMENT_FORMAT_VERSION}`,
        );
      }
      const tableOffset = view.getFloat64(0, true);
      const tableLength = view.getUint32(8, true);
      if (tableOffset + tableLength > size - TRAILER_BYTES) fail('section table lies outside the file');
      const tableBytes = readAt(fd, tableOffset, tableLength);
      if (crc32(tableBytes) !== view.getUint32(12, true)) fail('section table checksum mismatch');
      const table = JSON.parse(Buffer.from(tableBytes).toString('utf8')) as SectionTable;
      if (table.meta.name !== name) fail(`the file holds segment ${table.meta.name}`);
      for (const [section, [offset, length]] of Object.entries(table.sections)) {
        if (offset + length > tableOffset) fail(`section ${section} lies outside the file`);
      }
      return new SegmentReader(path, name, cache, fd, size, table);
    } catch (error) {
      closeSync(fd);
      if (error instanceof IndexError) throw error;
      throw new IndexCorruptError(`Cannot open segment ${name} (${path}): ${(error as Error).message}`, path, name);
    }
  }

  get docCount(): number {
    return this.meta.docCount;
  }

  get blockCount(): number {
    return this.meta.blockCount;
  }

  get blockSize(): number {
    return this.meta.blockSize;
  }

  /** Bytes of each section of the file (for size reports). */
  sectionBytes(): Record<SectionName, number> {
    const out = {} as Record<SectionName, number>;
    for (const [name, [, length]] of Object.entries(this.sections)) out[name as SectionName] = length;
    return out;
  }

  /** Number of blocks term `term` occurs in (0 when absent). */
  termBlockCount(term: number): number {
    const slot = term < this.termSlot.length ? this.termSlot[term]! : -1;
    return slot < 0 ? 0 : this.dirCounts[slot]!;
  }

  /** The block maxima of `term`, or undefined when the segment lacks it. */
  blockMax(term: number): BlockMaxList | undefined {
    const slot = term < this.termSlot.length ? this.termSlot[term]! : -1;
    if (slot < 0) return undefined;
    const key = this.cacheBase + 0x80000000 + slot;
    const cached = this.cache.get(key) as BlockMaxList | undefined;
    if (cached) return cached;
    const count = this.dirCounts[slot]!;
    const dense = this.dirDense[slot] === 1;
    const blockCount = this.meta.blockCount;
    const idBytes = blockCount > 65536 ? 4 : 2;
    const length = alignUp(dense ? blockCount : count * (idBytes + 1), 4);
    const bytes = this.read(this.dirOffsets[slot]!, length);
    if (this.listChecked[slot] === 0) {
      if (crc32(bytes) !== this.dirCrcs[slot]) this.corrupt(`block-max list of term ${term} fails its checksum`);
      this.listChecked[slot] = 1;
    }
    const list: BlockMaxList = dense
      ? { count, dense: bytes, ids: null, max: null }
      : {
          count,
          dense: null,
          ids: idBytes === 4 ? new Uint32Array(bytes.buffer, 0, count) : new Uint16Array(bytes.buffer, 0, count),
          max: new Uint8Array(bytes.buffer, idBytes * count, count),
        };
    this.cache.set(key, list, length + 96);
    return list;
  }

  /** The page holding block `block`. */
  pageOf(block: number): Page {
    const pageIndex = Math.floor(block / this.meta.blocksPerPage);
    const key = this.cacheBase + pageIndex;
    const cached = this.cache.get(key) as Page | undefined;
    if (cached) return cached;
    const firstBlock = pageIndex * this.meta.blocksPerPage;
    const lastBlock = Math.min(this.meta.blockCount, firstBlock + this.meta.blocksPerPage);
    const from = this.blockOffsets[firstBlock]!;
    const to = this.blockOffsets[lastBlock]!;
    const u8 = this.read(from, to - from);
    if (this.pageChecked[pageIndex] === 0) {
      if (crc32(u8) !== this.pageCrcs[pageIndex]) this.corrupt(`page ${pageIndex} (blocks ${firstBlock}..${lastBlock - 1}) fails its checksum`);
      this.pageChecked[pageIndex] = 1;
    }
    const start = new Uint32Array(lastBlock - firstBlock + 1);
    for (let b = firstBlock; b <= lastBlock; b++) start[b - firstBlock] = this.blockOffsets[b]! - from;
    const page: Page = {
      firstBlock,
      u8,
      u16: new Uint16Array(u8.buffer, 0, u8.length >> 1),
      u32: new Uint32Array(u8.buffer, 0, u8.length >> 2),
      start,
    };
    this.cache.set(key, page, u8.length + 256);
    return page;
  }

  /** Passage id and file id of every local doc (loaded on first use). */
  docs(): { pids: Uint32Array; fileIds: Uint32Array } {
    if (!this.docsCache) {
      const bytes = this.readSection('docs');
      const n = this.meta.docCount;
      this.docsCache = { pids: new Uint32Array(bytes.buffer, 0, n), fileIds: new Uint32Array(bytes.buffer, alignUp(4 * n, 8), n) };
    }
    return this.docsCache;
  }

  /** Local doc of passage `pid`, or -1. */
  docOfPassage(pid: number): number {
    if (!this.pidIndexCache) {
      const bytes = this.readSection('pidindex');
      const n = this.meta.docCount;
      this.pidIndexCache = { pids: new Uint32Array(bytes.buffer, 0, n), docs: new Uint32Array(bytes.buffer, alignUp(4 * n, 8), n) };
    }
    const { pids, docs } = this.pidIndexCache;
    let lo = 0;
    let hi = pids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const value = pids[mid]!;
      if (value === pid) return docs[mid]!;
      if (value < pid) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /**
   * Decodes every doc whose bit is clear in `deleted` back to forward form (terms ascending), in local doc order:
   * what a merge reads.
   */
  decodeForward(deleted: Uint8Array | undefined): {
    offsets: Float64Array;
    terms: Uint16Array;
    impacts: Uint8Array;
    pids: Uint32Array;
    fileIds: Uint32Array;
    docCount: number;
  } {
    const n = this.meta.docCount;
    const { pids, fileIds } = this.docs();
    const isLive = (doc: number) => !deleted || (deleted[doc >> 3]! & (1 << (doc & 7))) === 0;
    // Pass 1: posting counts per live doc.
    const counts = new Uint32Array(n);
    const bs = this.meta.blockSize;
    const buckets = bucketCountOf(this.meta.vocabSize);
    for (let b = 0; b < this.meta.blockCount; b++) {
      const { nPostings, postingsAt, u16 } = openBlock(this.pageOf(b), b, buckets);
      for (let p = 0; p < nPostings; p++) counts[b * bs + (u16[postingsAt + p]! & 0xff)]!++;
    }
    const liveDocs: number[] = [];
    for (let d = 0; d < n; d++) if (isLive(d)) liveDocs.push(d);
    const newIndex = new Int32Array(n).fill(-1);
    const offsets = new Float64Array(liveDocs.length + 1);
    liveDocs.forEach((d, i) => {
      newIndex[d] = i;
      offsets[i + 1] = offsets[i]! + counts[d]!;
    });
    const total = offsets[liveDocs.length]!;
    const terms = new Uint16Array(total);
    const impacts = new Uint8Array(total);
    const fill = new Float64Array(offsets.subarray(0, liveDocs.length));
    for (let b = 0; b < this.meta.blockCount; b++) {
      const page = this.pageOf(b);
      forEachBlockTerm(page, b, buckets, (term, begin, end, postingsAt) => {
        for (let p = begin; p < end; p++) {
          const posting = page.u16[postingsAt + p]!;
          const i = newIndex[b * bs + (posting & 0xff)]!;
          if (i < 0) continue;
          const slot = fill[i]!++;
          terms[slot] = term;
          impacts[slot] = posting >> 8;
        }
      });
    }
    const livePids = new Uint32Array(liveDocs.length);
    const liveFiles = new Uint32Array(liveDocs.length);
    liveDocs.forEach((d, i) => {
      livePids[i] = pids[d]!;
      liveFiles[i] = fileIds[d]!;
    });
    return { offsets, terms, impacts, pids: livePids, fileIds: liveFiles, docCount: liveDocs.length };
  }

  /** Checks every checksum of the file (all pages, all block-max lists, all sections). Throws on the first failure. */
  verify(): void {
    for (const name of ['blockdir', 'termdir', 'docs', 'pidindex'] as const) this.readSection(name);
    const pages = Math.ceil(this.meta.blockCount / this.meta.blocksPerPage);
    for (let p = 0; p < pages; p++) {
      const firstBlock = p * this.meta.blocksPerPage;
      const lastBlock = Math.min(this.meta.blockCount, firstBlock + this.meta.blocksPerPage);
      const bytes = this.read(this.blockOffsets[firstBlock]!, this.blockOffsets[lastBlock]! - this.blockOffsets[firstBlock]!);
      if (crc32(bytes) !== this.pageCrcs[p]) this.corrupt(`page ${p} (blocks ${firstBlock}..${lastBlock - 1}) fails its checksum`);
    }
    const idBytes = this.meta.blockCount > 65536 ? 4 : 2;
    for (let j = 0; j < this.meta.termCount; j++) {
      const count = this.dirCounts[j]!;
      const length = alignUp(this.dirDense[j] === 1 ? this.meta.blockCount : count * (idBytes + 1), 4);
      if (crc32(this.read(this.dirOffsets[j]!, length)) !== this.dirCrcs[j]) this.corrupt(`a block-max list (slot ${j}) fails its checksum`);
    }
  }

  /** Shares the reader with another snapshot; each `retain` needs one `release`. */
  retain(): this {
    this.refs++;
    return this;
  }

  /** Drops one reference; the file is closed and its cache entries dropped with the last one. */
  release(): void {
    if (--this.refs > 0) return;
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    const base = this.cacheBase;
    this.cache.deleteWhere((key) => key >= base && key < base + 2 ** 32);
    this.docsCache = undefined;
    this.pidIndexCache = undefined;
  }

  get closed(): boolean {
    return this.fd === undefined;
  }

  private readSection(name: SectionName): Uint8Array {
    const [offset, length, crc] = this.sections[name];
    const bytes = this.read(offset, length);
    if (crc32(bytes) !== crc) this.corrupt(`section ${name} fails its checksum`);
    return bytes;
  }

  private read(offset: number, length: number): Uint8Array {
    if (this.fd === undefined) throw new IndexError('index-closed', `segment ${this.name} is closed`);
    if (offset + length > this.byteSize) this.corrupt(`a read of ${length} bytes at ${offset} passes the end of the file`);
    return readAt(this.fd, offset, length);
  }

  private corrupt(problem: string): never {
    throw new IndexCorruptError(`Segment ${this.name} (${this.path}) is corrupt: ${problem}`, this.path, this.name);
  }
}

function alignUp(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}

/** Reads exactly `length` bytes at `offset` into a fresh (so 8-byte aligned) buffer. */
function readAt(fd: number, offset: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const got = readSync(fd, bytes, done, length - done, offset + done);
    if (got === 0) throw new Error(`unexpected end of file at ${offset + done}`);
    done += got;
  }
  return bytes;
}
