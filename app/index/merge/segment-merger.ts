/**
 * Merges segments into one: decodes the live docs of each input, reorders all of them together and writes a new
 * segment file. Inputs are only read; the caller makes the result visible with a commit.
 */
import { ByteLru } from '../storage/byte-lru.js';
import { SegmentReader, type CachedItem } from '../segment/segment-reader.js';
import { reorderDocs } from '../segment/doc-reorder.js';
import { serializeSegment, type SerializedSegment } from '../segment/segment-serializer.js';
import type { ForwardDocs } from '../segment/forward-batch.js';

export interface MergeInput {
  name: string;
  path: string;
  byteSize: number;
  /** Tombstones at the time the merge started. */
  deleted: Uint8Array | null;
}

export interface MergeJob {
  inputs: MergeInput[];
  output: { name: string; path: string };
  blockSize: number;
  blocksPerPage: number;
  vocabSize: number;
  scale: number;
}

export function mergeSegments(job: MergeJob): SerializedSegment {
  const cache = new ByteLru<CachedItem>(64 << 20);
  const parts: ReturnType<SegmentReader['decodeForward']>[] = [];
  for (const input of job.inputs) {
    const reader = SegmentReader.open(input.path, input.name, cache, input.byteSize);
    try {
      parts.push(reader.decodeForward(input.deleted ?? undefined));
    } finally {
      reader.release();
    }
    cache.clear();
  }
  const docs = concatenate(parts);
  const all = new Uint32Array(docs.docCount);
  for (let i = 0; i < all.length; i++) all[i] = i;
  const order = reorderDocs(docs, all);
  return serializeSegment(docs, order, {
    name: job.output.name,
    path: job.output.path,
    blockSize: job.blockSize,
    blocksPerPage: job.blocksPerPage,
    vocabSize: job.vocabSize,
    scale: job.scale,
  });
}

function concatenate(parts: ForwardDocs[]): ForwardDocs {
  if (parts.length === 1) return parts[0]!;
  let docCount = 0;
  let postings = 0;
  for (const part of parts) {
    docCount += part.docCount;
    postings += part.offsets[part.docCount]!;
  }
  const offsets = new Float64Array(docCount + 1);
  const terms = new Uint16Array(postings);
  const impacts = new Uint8Array(postings);
  const pids = new Uint32Array(docCount);
  const fileIds = new Uint32Array(docCount);
  let d = 0;
  let p = 0;
  for (const part of parts) {
    const n = part.offsets[part.docCount]!;
    terms.set(part.terms.subarray(0, n), p);
    impacts.set(part.impacts.subarray(0, n), p);
    pids.set(part.pids.subarray(0, part.docCount), d);
    fileIds.set(part.fileIds.subarray(0, part.docCount), d);
    for (let i = 0; i < part.docCount; i++) offsets[d + i + 1] = p + part.offsets[i + 1]!;
    d += part.docCount;
    p += n;
  }
  return { docCount, offsets, terms, impacts, pids, fileIds };
}
