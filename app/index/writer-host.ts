/**
 * What the writer needs of the index it writes to, and nothing more: where it lives, its fixed settings, the shared
 * page cache, the committed snapshot, and a way to make the index read a new commit. SparseIndex hands the writer
 * one of these instead of itself, so the writer never reaches into the index (and imports nothing of it).
 */
import type { IndexSettings } from './catalog/catalog.js';
import type { CachedItem } from './segment/segment-reader.js';
import type { Snapshot } from './snapshot.js';
import type { ByteLru } from './storage/byte-lru.js';

export interface WriterHost {
  readonly dir: string;
  readonly settings: IndexSettings;
  /** Weight of one impact unit. */
  readonly scale: number;
  /** The index's page and block-max cache (the writer's new segments share it). */
  readonly cache: ByteLru<CachedItem>;
  /** The current committed snapshot, retained: the caller releases it. */
  acquireSnapshot(): Snapshot;
  /** Called after each commit: the index moves to it. */
  refreshAfterCommit(): void;
}
