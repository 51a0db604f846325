/**
 * Repair: find the committed segments that are damaged or missing, and drop them while keeping the catalog. Files
 * whose passages lived in a dropped segment are marked `pending` (with a note) so that ingest re-encodes them; their
 * passage rows stay, detached from postings (origin NULL), until then.
 */
import type { CatalogWriter } from './catalog/catalog-writer.js';
import type { Manifest } from './catalog/catalog.js';
import { IndexCorruptError } from './index-errors.js';
import { SegmentReader } from './segment/segment-reader.js';
import { segmentPath } from './storage/index-files.js';
import type { WriterHost } from './writer-host.js';

export interface RepairReport {
  droppedSegments: { name: string; problem: string }[];
  /** Files marked `pending` for re-encoding. */
  files: string[];
  generation: number;
}

export interface RepairOptions {
  /** Check every checksum of every segment (reads all files); otherwise only what open checks. */
  full: boolean;
  /** Segments whose every checksum is checked in any case. */
  segments: string[];
}

/** The committed segments of `manifest` that fail to open, disagree with the catalog, or fail a checksum checked. */
export function findDamagedSegments(host: Pick<WriterHost, 'dir' | 'cache'>, manifest: Manifest, options: RepairOptions): { name: string; problem: string }[] {
  const bad: { name: string; problem: string }[] = [];
  for (const row of manifest.segments) {
    let reader: SegmentReader | undefined;
    try {
      reader = SegmentReader.open(segmentPath(host.dir, row.name), row.name, host.cache, row.byteSize);
      if (reader.docCount !== row.docCount) throw new IndexCorruptError(`holds ${reader.docCount} docs, the catalog recorded ${row.docCount}`, reader.path, row.name);
      if (options.full || options.segments.includes(row.name)) reader.verify();
    } catch (error) {
      if (!(error instanceof IndexCorruptError)) throw error;
      bad.push({ name: row.name, problem: error.message });
    } finally {
      reader?.release();
    }
  }
  return bad;
}

/**
 * Inside the writer's open transaction: drops `segments` from the catalog, marks the files that had passages in
 * them `pending` and detaches those passages. Returns the paths of the files marked.
 */
export function dropSegments(catalog: CatalogWriter, manifest: Manifest, segments: readonly string[]): string[] {
  const files = new Set<string>();
  for (const name of segments) {
    const origins = manifest.origins.get(name) ?? [name];
    const note = `segment ${name} was damaged and dropped; the file must be encoded again`;
    for (const file of catalog.filesOfOrigins(origins)) {
      catalog.markPending(file.id, note, Date.now());
      files.add(file.path);
    }
    catalog.clearOrigins(origins);
    catalog.deleteSegment(name);
  }
  return [...files].sort();
}
