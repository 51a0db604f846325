/**
 * The files of an index directory by name: the catalog, segment files (`seg-<generation base36>-<8 hex>.seg`),
 * and the removal of segment files no commit references (a crash's leftovers, merged-away inputs).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SEGMENT_EXTENSION, isSegmentName, segmentFileName } from '../segment/segment-format.js';
import { listDirectory, tryRemove } from './directory.js';

export const CATALOG_FILE = 'catalog.sqlite';

export function catalogPath(dir: string): string {
  return join(dir, CATALOG_FILE);
}

export function segmentPath(dir: string, name: string): string {
  return join(dir, segmentFileName(name));
}

/** A fresh segment name for a segment first committed in `generation` (random suffix: never reused). */
export function newSegmentName(generation: number): string {
  return `seg-${Math.max(0, generation).toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Deletes segment files that neither the committed manifest nor `keep` names. Returns the names removed. */
export function removeOrphans(dir: string, committed: ReadonlySet<string>, keep: ReadonlySet<string>): string[] {
  const removed: string[] = [];
  for (const entry of listDirectory(dir)) {
    if (!entry.endsWith(SEGMENT_EXTENSION)) continue;
    const name = entry.slice(0, -SEGMENT_EXTENSION.length);
    if (!isSegmentName(name) || committed.has(name) || keep.has(name)) continue;
    if (tryRemove(dir, segmentFileName(name))) removed.push(name);
  }
  return removed;
}
