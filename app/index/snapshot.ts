/**
 * A snapshot: the committed segments of one generation, each with its reader and tombstones. A search runs on one
 * snapshot from start to end, so commits and merges never change what it sees. Readers are shared between
 * snapshots by reference counting; a segment file is closed when the last snapshot using it goes.
 */
import { join } from 'node:path';
import { IndexCorruptError } from './index-errors.js';
import type { Manifest, SegmentRow } from './catalog/catalog.js';
import { SegmentReader, type CachedItem } from './segment/segment-reader.js';
import { segmentFileName } from './segment/segment-format.js';
import type { ByteLru } from './storage/byte-lru.js';

export interface SnapshotSegment {
  reader: SegmentReader;
  row: SegmentRow;
  /** Tombstone bitmap (bit d = local doc d deleted), undefined when none. */
  deleted: Uint8Array | undefined;
  origins: string[];
}

export class Snapshot {
  private refs = 1;

  constructor(
    readonly generation: number,
    readonly payload: unknown,
    readonly segments: SnapshotSegment[],
  ) {}

  /**
   * Opens the segments of `manifest`, reusing the readers of `previous` where the segment is the same. A segment
   * that fails to open throws IndexCorruptError (after releasing what was opened).
   */
  static load(
    dir: string,
    manifest: Manifest,
    cache: ByteLru<CachedItem>,
    previous: Snapshot | undefined,
    expected?: { scale: number; vocabSize: number },
  ): Snapshot {
    const reuse = new Map<string, SegmentReader>();
    if (previous) for (const segment of previous.segments) reuse.set(segment.row.name, segment.reader);
    const segments: SnapshotSegment[] = [];
    try {
      for (const row of manifest.segments) {
        const existing = reuse.get(row.name);
        const reader = existing
          ? existing.retain()
          : SegmentReader.open(join(dir, segmentFileName(row.name)), row.name, cache, row.byteSize);
        const mismatch =
          reader.docCount !== row.docCount
            ? `holds ${reader.docCount} docs, the catalog recorded ${row.docCount}`
            : expected && (reader.meta.scale !== expected.scale || reader.meta.vocabSize !== expected.vocabSize)
              ? `was written for scale ${reader.meta.scale} / vocabulary ${reader.meta.vocabSize}, the index uses ${expected.scale} / ${expected.vocabSize}`
              : undefined;
        if (mismatch) {
          reader.release();
          throw new IndexCorruptError(`Segment ${row.name} (${reader.path}) ${mismatch}`, reader.path, row.name);
        }
        segments.push({
          reader,
          row,
          deleted: row.deleted && row.deletedCount > 0 ? row.deleted : undefined,
          origins: manifest.origins.get(row.name) ?? [row.name],
        });
      }
    } catch (error) {
      for (const segment of segments) segment.reader.release();
      throw error;
    }
    return new Snapshot(manifest.generation, manifest.payload, segments);
  }

  retain(): this {
    this.refs++;
    return this;
  }

  release(): void {
    if (--this.refs > 0) return;
    for (const segment of this.segments) segment.reader.release();
  }

  get liveDocCount(): number {
    let n = 0;
    for (const segment of this.segments) n += segment.row.docCount - segment.row.deletedCount;
    return n;
  }

  private byOrigin: Map<string, SnapshotSegment> | undefined;

  /** The segment holding passages written to `origin`, if it is still live. */
  segmentOfOrigin(origin: string): SnapshotSegment | undefined {
    if (!this.byOrigin) {
      this.byOrigin = new Map();
      for (const segment of this.segments) for (const name of segment.origins) this.byOrigin.set(name, segment);
    }
    return this.byOrigin.get(origin);
  }
}

/** Number of set bits of a tombstone bitmap. */
export function countBits(bitmap: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bitmap.length; i++) {
    let v = bitmap[i]!;
    while (v) {
      v &= v - 1;
      n++;
    }
  }
  return n;
}

export function bitmapFor(docCount: number): Uint8Array {
  return new Uint8Array((docCount + 7) >> 3);
}

export function isDeleted(bitmap: Uint8Array | undefined, doc: number): boolean {
  return bitmap !== undefined && (bitmap[doc >> 3]! & (1 << (doc & 7))) !== 0;
}

export function setDeleted(bitmap: Uint8Array, doc: number): void {
  bitmap[doc >> 3] = bitmap[doc >> 3]! | (1 << (doc & 7));
}
