/**
 * The writer's uncommitted postings: new passages in an in-memory batch (written to a segment file, not yet
 * committed, whenever it grows past `flushBytes`), and tombstones for passages deleted since the last commit, kept
 * per committed segment as full bitmaps. A commit records all of it in the catalog; a rollback discards it.
 */
import { rmSync } from 'node:fs';
import { IndexCorruptError } from './index-errors.js';
import { reorderDocs } from './segment/doc-reorder.js';
import { ForwardBatch } from './segment/forward-batch.js';
import type { SegmentMeta } from './segment/segment-format.js';
import { SegmentReader } from './segment/segment-reader.js';
import { serializeSegment } from './segment/segment-serializer.js';
import { bitmapFor, setDeleted, type Snapshot } from './snapshot.js';
import { catalogPath, newSegmentName, segmentPath } from './storage/index-files.js';
import type { WriterHost } from './writer-host.js';

/** A segment file written from the batch, waiting for the commit that records it. */
export interface FlushedSegment {
  name: string;
  path: string;
  reader: SegmentReader;
  meta: SegmentMeta;
  byteSize: number;
  /** Its docs deleted before the commit (a file replaced twice). */
  deleted: Uint8Array;
}

export class StagedChanges {
  private batch = new ForwardBatch();
  private batchDocOfPid = new Map<number, number>();
  /** The name the batch's segment will get; passages added now record it as their origin. */
  private name: string;
  private flushedSegments: FlushedSegment[] = [];
  /** Tombstones added since the last commit, per committed segment (full bitmaps: committed ones plus new). */
  private readonly tombstoneMaps = new Map<string, Uint8Array>();

  constructor(
    private readonly host: Pick<WriterHost, 'dir' | 'settings' | 'scale' | 'cache'>,
    private generation: () => number,
  ) {
    this.name = newSegmentName(generation() + 1);
  }

  /** The origin of passages added now. */
  get batchName(): string {
    return this.name;
  }

  get batchBytes(): number {
    return this.batch.bytes;
  }

  get flushed(): readonly FlushedSegment[] {
    return this.flushedSegments;
  }

  get tombstones(): ReadonlyMap<string, Uint8Array> {
    return this.tombstoneMaps;
  }

  /** Adds passage `pid` (quantized: `count` terms ascending with their impacts) to the batch. */
  add(pid: number, fileId: number, terms: ArrayLike<number>, impacts: ArrayLike<number>, count: number): void {
    this.batchDocOfPid.set(pid, this.batch.add(pid, fileId, terms, impacts, count));
  }

  /** Marks passage `pid` (postings first written to `origin`) deleted wherever its postings are now. */
  tombstone(pid: number, origin: string | null, snapshot: Snapshot): void {
    if (origin === null) return;
    if (origin === this.name) {
      const doc = this.batchDocOfPid.get(pid);
      if (doc !== undefined) {
        this.batch.removed.add(doc);
        this.batchDocOfPid.delete(pid);
      }
      return;
    }
    const flushed = this.flushedSegments.find((segment) => segment.name === origin);
    if (flushed) {
      const doc = flushed.reader.docOfPassage(pid);
      if (doc >= 0) setDeleted(flushed.deleted, doc);
      return;
    }
    const segment = snapshot.segmentOfOrigin(origin);
    const doc = segment ? segment.reader.docOfPassage(pid) : -1;
    if (!segment || doc < 0) {
      throw new IndexCorruptError(`Passage ${pid} records origin ${origin}, but no live segment holds it`, catalogPath(this.host.dir), segment?.row.name, 'inconsistent');
    }
    let bitmap = this.tombstoneMaps.get(segment.row.name);
    if (!bitmap) {
      bitmap = segment.deleted ? segment.deleted.slice() : bitmapFor(segment.reader.docCount);
      this.tombstoneMaps.set(segment.row.name, bitmap);
    }
    setDeleted(bitmap, doc);
  }

  /** A committed segment's tombstones as staged (undefined when this writer deleted nothing in it). */
  stagedTombstones(segment: string): Uint8Array | undefined {
    return this.tombstoneMaps.get(segment);
  }

  /** Forgets a segment's staged tombstones (a merge swapped it out; they were carried over). */
  forgetTombstones(segment: string): void {
    this.tombstoneMaps.delete(segment);
  }

  /** Writes the batch as a segment file (not yet committed) and starts a new batch. */
  flush(): void {
    const batch = this.batch;
    const name = this.name;
    if (batch.docCount === 0) return;
    this.batch = new ForwardBatch();
    this.batchDocOfPid = new Map();
    this.name = newSegmentName(this.generation() + 1);
    if (batch.liveDocCount === 0) return;
    const live = new Uint32Array(batch.liveDocCount);
    for (let doc = 0, i = 0; doc < batch.docCount; doc++) if (!batch.removed.has(doc)) live[i++] = doc;
    const order = reorderDocs(batch, live);
    const path = segmentPath(this.host.dir, name);
    const { settings, scale, cache } = this.host;
    const { meta, byteSize } = serializeSegment(batch, order, {
      name,
      path,
      blockSize: settings.blockSize,
      blocksPerPage: settings.blocksPerPage,
      vocabSize: settings.vocabSize,
      scale,
    });
    const reader = SegmentReader.open(path, name, cache, byteSize);
    this.flushedSegments.push({ name, path, reader, meta, byteSize, deleted: bitmapFor(meta.docCount) });
  }

  /** After a commit recorded everything: releases the flushed segments (the index now reads them). */
  committed(): void {
    for (const segment of this.flushedSegments) segment.reader.release();
    this.flushedSegments = [];
    this.tombstoneMaps.clear();
    // A fresh name carries the new generation (the batch is empty unless flush kept it).
    if (this.batch.docCount === 0) this.name = newSegmentName(this.generation() + 1);
  }

  /** Discards everything staged, deleting the flushed segment files. */
  discard(): void {
    for (const segment of this.flushedSegments) {
      segment.reader.release();
      rmSync(segment.path, { force: true });
    }
    this.flushedSegments = [];
    this.batch = new ForwardBatch();
    this.batchDocOfPid = new Map();
    this.name = newSegmentName(this.generation() + 1);
    this.tombstoneMaps.clear();
  }

  /** Segment files this writer has written or is writing and no commit references yet. */
  pendingNames(): string[] {
    return [this.name, ...this.flushedSegments.map((segment) => segment.name)];
  }
}
