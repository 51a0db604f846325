/**
 * Writes a segment file from forward docs and a doc order (see segment-format.ts): blocks of term-major postings,
 * block-max lists, directories and a checksummed trailer. The file is written sequentially, fsynced, and never
 * changed afterwards; on any error the partial file is deleted (or left as an orphan that the next open removes).
 */
import { crc32 } from 'node:zlib';
import { SequentialFile } from '../storage/directory.js';
import { failPoint } from '../storage/fail-points.js';
import type { ForwardDocs } from './forward-batch.js';
import {
  HEADER_MAGIC,
  MAX_BLOCK_SIZE,
  SEGMENT_FORMAT_VERSION,
  TRAILER_MAGIC,
  align,
  blockLayout,
  bucketCountOf,
  TERM_BUCKET_BITS,
  type SectionName,
  type SectionTable,
  type SegmentMeta,
} from './segment-format.js';

export interface SerializeOptions {
  name: string;
  path: string;
  blockSize: number;
  blocksPerPage: number;
  vocabSize: number;
  scale: number;
}

export interface SerializedSegment {
  meta: SegmentMeta;
  byteSize: number;
}

/** Writes `order` (doc numbers of `docs`, in their new order) as segment `options.name` at `options.path`. */
export function serializeSegment(docs: ForwardDocs, order: Uint32Array, options: SerializeOptions): SerializedSegment {
  const { blockSize, blocksPerPage, vocabSize } = options;
  if (!(blockSize >= 1 && blockSize <= MAX_BLOCK_SIZE)) throw new RangeError(`blockSize must be 1..${MAX_BLOCK_SIZE}, got ${blockSize}`);
  if (vocabSize > 65536) throw new RangeError(`vocabulary of ${vocabSize} terms exceeds the format's 65536`);
  const file = new SequentialFile(options.path, 'segment');
  try {
    const result = writeSegment(file, docs, order, options);
    file.finish();
    failPoint('segment.written');
    return result;
  } catch (error) {
    file.abandon();
    throw error;
  }
}

function writeSegment(file: SequentialFile, docs: ForwardDocs, order: Uint32Array, options: SerializeOptions): SerializedSegment {
  const { blockSize, blocksPerPage, vocabSize } = options;
  const n = order.length;
  const blockCount = Math.ceil(n / blockSize);
  const buckets = bucketCountOf(vocabSize);
  const header = new Uint8Array(16);
  header.set(Buffer.from(HEADER_MAGIC, 'latin1'), 0);
  new DataView(header.buffer).setUint32(8, SEGMENT_FORMAT_VERSION, true);
  file.write(header);

  // Pass 1: how many blocks each term occurs in (the size of its block-max list).
  const entryCount = new Uint32Array(vocabSize);
  const stamp = new Int32Array(vocabSize).fill(-1);
  let postingCount = 0;
  for (let b = 0; b < blockCount; b++) {
    for (let i = b * blockSize, end = Math.min(n, i + blockSize); i < end; i++) {
      const doc = order[i]!;
      for (let p = docs.offsets[doc]!, pe = docs.offsets[doc + 1]!; p < pe; p++) {
        const term = docs.terms[p]!;
        if (stamp[term] !== b) {
          stamp[term] = b;
          entryCount[term]!++;
        }
      }
      postingCount += docs.offsets[doc + 1]! - docs.offsets[doc]!;
    }
  }
  const listStart = new Float64Array(vocabSize + 1);
  for (let t = 0; t < vocabSize; t++) listStart[t + 1] = listStart[t]! + entryCount[t]!;
  const totalEntries = listStart[vocabSize]!;
  const wideBlockIds = blockCount > 65536;
  const entryBlocks = wideBlockIds ? new Uint32Array(totalEntries) : new Uint16Array(totalEntries);
  const entryMax = new Uint8Array(totalEntries);
  const entryFill = new Float64Array(listStart.subarray(0, vocabSize));
  const termMax = new Uint8Array(vocabSize);

  // Pass 2: blocks, written page by page.
  const blocksStart = file.offset;
  const blockOffsets = new Float64Array(blockCount + 1);
  const pageCount = Math.ceil(blockCount / blocksPerPage);
  const pageCrcs = new Uint32Array(pageCount);
  const termCount = new Uint32Array(vocabSize);
  stamp.fill(-1);
  const used = new Uint16Array(vocabSize);
  const fill = new Uint32Array(vocabSize);
  const blockMaxOf = new Uint8Array(vocabSize);
  let pageBuffer = new Uint8Array(1 << 20);
  for (let page = 0; page < pageCount; page++) {
    let pageLength = 0;
    const firstBlock = page * blocksPerPage;
    const lastBlock = Math.min(blockCount, firstBlock + blocksPerPage);
    for (let b = firstBlock; b < lastBlock; b++) {
      blockOffsets[b] = file.offset + pageLength;
      const first = b * blockSize;
      const last = Math.min(n, first + blockSize);
      let nTerms = 0;
      let nPostings = 0;
      for (let i = first; i < last; i++) {
        const doc = order[i]!;
        for (let p = docs.offsets[doc]!, pe = docs.offsets[doc + 1]!; p < pe; p++) {
          const term = docs.terms[p]!;
          if (stamp[term] !== b) {
            stamp[term] = b;
            termCount[term] = 0;
            blockMaxOf[term] = 0;
            used[nTerms++] = term;
          }
          termCount[term]!++;
          const impact = docs.impacts[p]!;
          if (impact > blockMaxOf[term]!) blockMaxOf[term] = impact;
        }
        nPostings += docs.offsets[doc + 1]! - docs.offsets[doc]!;
      }
      const terms = used.subarray(0, nTerms).sort();
      const layout = blockLayout(nTerms, nPostings, buckets, pageLength);
      if (layout.end > pageBuffer.length) {
        const bigger = new Uint8Array(Math.max(layout.end, pageBuffer.length * 2));
        bigger.set(pageBuffer.subarray(0, pageLength));
        pageBuffer = bigger;
      }
      const view = new DataView(pageBuffer.buffer);
      view.setUint32(pageLength, nTerms, true);
      view.setUint32(pageLength + 4, nPostings, true);
      const setBucket = (index: number, firstTerm: number, firstPosting: number) => {
        if (layout.wide) {
          view.setUint32(layout.tableOffset + 8 * index, firstTerm, true);
          view.setUint32(layout.tableOffset + 8 * index + 4, firstPosting, true);
        } else {
          view.setUint16(layout.tableOffset + 4 * index, firstTerm, true);
          view.setUint16(layout.tableOffset + 4 * index + 2, firstPosting, true);
        }
      };
      let end = 0;
      let bucket = 0;
      setBucket(0, 0, 0);
      for (let j = 0; j < nTerms; j++) {
        const term = terms[j]!;
        const termBucket = term >> TERM_BUCKET_BITS;
        while (bucket < termBucket) setBucket(++bucket, j, end);
        pageBuffer[layout.entriesOffset + 2 * j] = term & ((1 << TERM_BUCKET_BITS) - 1);
        pageBuffer[layout.entriesOffset + 2 * j + 1] = termCount[term]! - 1;
        fill[term] = end;
        end += termCount[term]!;
        const e = entryFill[term]!++;
        entryBlocks[e] = b;
        entryMax[e] = blockMaxOf[term]!;
        if (blockMaxOf[term]! > termMax[term]!) termMax[term] = blockMaxOf[term]!;
      }
      while (bucket < buckets) setBucket(++bucket, nTerms, end);
      for (let i = first; i < last; i++) {
        const doc = order[i]!;
        const inBlock = i - first;
        for (let p = docs.offsets[doc]!, pe = docs.offsets[doc + 1]!; p < pe; p++) {
          const slot = fill[docs.terms[p]!]!++;
          pageBuffer[layout.postingsOffset + 2 * slot] = inBlock;
          pageBuffer[layout.postingsOffset + 2 * slot + 1] = docs.impacts[p]!;
        }
      }
      pageBuffer.fill(0, layout.postingsOffset + 2 * nPostings, layout.end);
      pageLength = layout.end;
    }
    const bytes = pageBuffer.subarray(0, pageLength);
    pageCrcs[page] = crc32(bytes);
    file.write(bytes);
  }
  blockOffsets[blockCount] = file.offset;
  const sections = {} as Record<SectionName, [number, number, number]>;
  sections.blocks = [blocksStart, file.offset - blocksStart, 0];

  // Block-max lists, term by term.
  file.pad(8);
  const blockmaxStart = file.offset;
  const presentTerms: number[] = [];
  for (let t = 0; t < vocabSize; t++) if (entryCount[t]! > 0) presentTerms.push(t);
  const m = presentTerms.length;
  const dirTerms = new Uint32Array(m);
  const dirOffsets = new Float64Array(m);
  const dirCounts = new Uint32Array(m);
  const dirCrcs = new Uint32Array(m);
  const dirMax = new Uint8Array(m);
  const dirDense = new Uint8Array(m);
  const idBytes = wideBlockIds ? 4 : 2;
  let chunk = new Uint8Array(1 << 16);
  let chunkLength = 0;
  const flushChunk = () => {
    if (chunkLength > 0) file.write(chunk.subarray(0, chunkLength));
    chunkLength = 0;
  };
  for (let j = 0; j < m; j++) {
    const term = presentTerms[j]!;
    const count = entryCount[term]!;
    const first = listStart[term]!;
    const dense = count * (idBytes + 1) >= blockCount;
    const length = align(dense ? blockCount : count * (idBytes + 1), 4);
    if (chunkLength + length > chunk.length) {
      flushChunk();
      if (length > chunk.length) chunk = new Uint8Array(length);
    }
    const list = chunk.subarray(chunkLength, chunkLength + length);
    list.fill(0);
    if (dense) {
      for (let e = 0; e < count; e++) list[entryBlocks[first + e]!] = entryMax[first + e]!;
    } else {
      const ids = wideBlockIds ? new Uint32Array(list.buffer, list.byteOffset, count) : null;
      const view = new DataView(list.buffer, list.byteOffset, length);
      for (let e = 0; e < count; e++) {
        if (ids) ids[e] = entryBlocks[first + e]!;
        else view.setUint16(2 * e, entryBlocks[first + e]!, true);
        list[idBytes * count + e] = entryMax[first + e]!;
      }
    }
    dirTerms[j] = term;
    dirOffsets[j] = file.offset + chunkLength;
    dirCounts[j] = count;
    dirCrcs[j] = crc32(list);
    dirMax[j] = termMax[term]!;
    dirDense[j] = dense ? 1 : 0;
    chunkLength += length;
  }
  flushChunk();
  sections.blockmax = [blockmaxStart, file.offset - blockmaxStart, 0];

  const writeSection = (name: SectionName, parts: ArrayBufferView[]) => {
    file.pad(8);
    const start = file.offset;
    let crc = 0;
    for (const part of parts) {
      const bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
      crc = crc32(bytes, crc);
      file.write(bytes);
      const padding = align(bytes.length, 8) - bytes.length;
      if (padding > 0) {
        const zeros = new Uint8Array(padding);
        crc = crc32(zeros, crc);
        file.write(zeros);
      }
    }
    sections[name] = [start, file.offset - start, crc];
  };
  writeSection('blockdir', [blockOffsets, pageCrcs]);
  writeSection('termdir', [dirTerms, dirOffsets, dirCounts, dirCrcs, dirMax, dirDense]);
  const pids = new Uint32Array(n);
  const fileIds = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    pids[i] = docs.pids[order[i]!]!;
    fileIds[i] = docs.fileIds[order[i]!]!;
  }
  writeSection('docs', [pids, fileIds]);
  const byPid = new Float64Array(n);
  for (let i = 0; i < n; i++) byPid[i] = pids[i]! * 4294967296 + i;
  byPid.sort();
  const sortedPids = new Uint32Array(n);
  const sortedDocs = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    sortedPids[i] = Math.floor(byPid[i]! / 4294967296);
    sortedDocs[i] = byPid[i]! % 4294967296;
  }
  writeSection('pidindex', [sortedPids, sortedDocs]);

  const meta: SegmentMeta = {
    name: options.name,
    docCount: n,
    postingCount,
    blockSize,
    blocksPerPage,
    blockCount,
    termCount: m,
    vocabSize,
    scale: options.scale,
  };
  file.pad(8);
  const tableOffset = file.offset;
  const table: SectionTable = { format: SEGMENT_FORMAT_VERSION, meta, sections };
  const tableBytes = new Uint8Array(Buffer.from(JSON.stringify(table), 'utf8'));
  file.write(tableBytes);
  const trailer = new Uint8Array(32);
  const view = new DataView(trailer.buffer);
  view.setFloat64(0, tableOffset, true);
  view.setUint32(8, tableBytes.length, true);
  view.setUint32(12, crc32(tableBytes), true);
  view.setUint32(16, SEGMENT_FORMAT_VERSION, true);
  view.setUint32(20, crc32(trailer.subarray(0, 20)), true);
  trailer.set(Buffer.from(TRAILER_MAGIC, 'latin1'), 24);
  file.write(trailer);
  return { meta, byteSize: file.offset };
}
