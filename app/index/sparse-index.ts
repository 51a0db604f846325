/**
 * SparseIndex: an on-disk index of sparse (SPLADE) passage vectors with a SQLite catalog. Open it, search it,
 * and open one writer at a time to change it. See index.ts for the API overview. This object holds the committed
 * snapshot and moves it forward; searching is query/search.ts, the consistency check consistency-check.ts, and the
 * writer sees it only through WriterHost.
 */
import { blobDot, denseQuery } from './exact-scoring.js';
import { ResidentVectors } from './resident-vectors.js';
import { existsSync, mkdirSync } from 'node:fs';
import { totalmem } from 'node:os';
import type Database from 'better-sqlite3';
import {
  CatalogQueries,
  openCatalogDatabase,
  type FileInfo,
  type FileStatus,
  type FolderInfo,
  type IndexSettings,
  type PassageInfo,
} from './catalog/catalog.js';
import { checkConsistency } from './consistency-check.js';
import type { RepairReport } from './index-repair.js';
import { IndexCorruptError, IndexError, IndexLockedError } from './index-errors.js';
import { IndexWriter, type WriterOptions } from './index-writer.js';
import { effectiveFilter, Searcher, type SearchFilter, type SearchOptions, type SearchResult } from './query/search.js';
import { createQuantizer, DEFAULT_MAX_WEIGHT } from './quantization.js';
import { DEFAULT_BLOCK_SIZE, DEFAULT_BLOCKS_PER_PAGE } from './segment/segment-format.js';
import type { CachedItem } from './segment/segment-reader.js';
import { Snapshot } from './snapshot.js';
import { DEFAULT_VOCAB_SIZE, validateSparseVector, type SparseVector } from './sparse-vector.js';
import { ByteLru } from './storage/byte-lru.js';
import { CATALOG_FILE, catalogPath, removeOrphans } from './storage/index-files.js';
import { WriterLock } from './storage/writer-lock.js';
import type { WriterHost } from './writer-host.js';

export type { RepairReport };
export {
  DEFAULT_APPROXIMATION,
  type ApproximationOptions,
  type SearchFilter,
  type SearchHit,
  type SearchOptions,
  type SearchResult,
  type SearchStats,
  type TermContribution,
} from './query/search.js';


const MiB = 1024 * 1024;

/**
 * The cache budget when none is given: 1/16 of the machine's memory, at least 256 MiB and at most 1 GiB. A query
 * touches the block-max lists of its terms and the pages of the blocks it scores; at 1M passages 200 queries keep
 * ~880 MB of them hot, and pages the cache dropped are re-read from the OS page cache (256 MiB at 1M: exact p50 8.0
 * ms instead of 3.9, test/bench/RESULTS.md). Entries are loaded on demand, so a small index never uses the budget.
 */
export function defaultCacheBytes(totalMemory = totalmem()): number {
  return Math.min(1024 * MiB, Math.max(256 * MiB, Math.floor(totalMemory / 16 / MiB) * MiB));
}

export interface OpenOptions {
  /** Create the index when `dir` holds none (default true). */
  create?: boolean;
  /** Byte budget of the cache of segment pages and block-max lists (default `defaultCacheBytes()`). */
  cacheBytes?: number;
  /** Creation-time settings (ignored for an existing index, whose own settings apply). */
  vocabSize?: number;
  /** Largest weight the 8-bit impacts represent exactly (default 5); larger ones are clamped. */
  maxWeight?: number;
  /** Docs per block (default 16, at most 256): smaller blocks bound scores tighter but cost more per query. */
  blockSize?: number;
  blocksPerPage?: number;
  /**
   * What to do when a segment is damaged at open: 'throw' (default) an IndexCorruptError naming the file, or
   * 'repair': drop the segment, keep the catalog, mark its files `pending` for re-encoding.
   */
  onCorruptSegment?: 'throw' | 'repair';
}

export interface IndexStats {
  generation: number;
  segments: { name: string; docCount: number; deletedCount: number; postingCount: number; byteSize: number; sections: Record<string, number> }[];
  docCount: number;
  liveDocCount: number;
  postingCount: number;
  segmentBytes: number;
  cacheBytes: number;
  cacheBudget: number;
}

/** The largest `k` one `search` returns (its heap and hit materialization are sized by it). */
export const SEARCH_K_LIMIT = 10_000;

export class SparseIndex {
  readonly dir: string;
  readonly settings: IndexSettings;
  /** Weight of one impact unit. */
  readonly scale: number;
  private readonly cache: ByteLru<CachedItem>;
  private readonly db: Database.Database;
  private readonly catalog: CatalogQueries;
  private readonly resident = new ResidentVectors();
  private readonly searcher: Searcher;
  private current: Snapshot;
  private seenDataVersion: number;
  private writerInstance: IndexWriter | undefined;
  private closed = false;

  private constructor(dir: string, db: Database.Database, cache: ByteLru<CachedItem>, snapshot: Snapshot, catalog: CatalogQueries) {
    this.dir = dir;
    this.db = db;
    this.catalog = catalog;
    this.settings = catalog.settings();
    this.scale = createQuantizer(this.settings.maxWeight).scale;
    this.cache = cache;
    this.current = snapshot;
    this.seenDataVersion = catalog.dataVersion();
    this.searcher = new Searcher(dir, this.scale);
  }

  /**
   * Opens the index in `dir` (creating it unless `create: false`). Removes files no commit references (left by a
   * crash) when no writer is active. Does not load postings: only directories, a few hundred KB per segment.
   */
  static open(dir: string, options: OpenOptions = {}): SparseIndex {
    const create = options.create ?? true;
    if (!existsSync(catalogPath(dir))) {
      if (!create) throw new IndexError('invalid-argument', `No index in ${dir} (${CATALOG_FILE} is missing)`);
      mkdirSync(dir, { recursive: true });
    }
    const settings: IndexSettings = {
      vocabSize: options.vocabSize ?? DEFAULT_VOCAB_SIZE,
      maxWeight: options.maxWeight ?? DEFAULT_MAX_WEIGHT,
      blockSize: options.blockSize ?? DEFAULT_BLOCK_SIZE,
      blocksPerPage: options.blocksPerPage ?? DEFAULT_BLOCKS_PER_PAGE,
    };
    if (!(settings.blockSize >= 1 && settings.blockSize <= 256)) throw new RangeError(`blockSize must be 1..256, got ${settings.blockSize}`);
    if (!(settings.vocabSize >= 1 && settings.vocabSize <= 65536)) throw new RangeError(`vocabSize must be 1..65536, got ${settings.vocabSize}`);
    const db = openCatalogDatabase(catalogPath(dir), create, settings);
    const cache = new ByteLru<CachedItem>(options.cacheBytes ?? defaultCacheBytes());
    try {
      const catalog = new CatalogQueries(db);
      // Garbage from a crashed writer: only safe while no writer is active.
      const lock = WriterLock.tryAcquire(dir);
      if (lock) {
        try {
          removeOrphans(dir, new Set(catalog.manifest().segments.map((segment) => segment.name)), new Set());
        } finally {
          lock.release();
        }
      }
      let snapshot: Snapshot;
      try {
        snapshot = retryOnMovedCommit(catalog, () => loadSnapshot(dir, catalog, cache));
      } catch (error) {
        if (!(error instanceof IndexCorruptError) || options.onCorruptSegment !== 'repair') throw error;
        db.close();
        SparseIndex.repair(dir, options);
        return SparseIndex.open(dir, { ...options, onCorruptSegment: 'throw' });
      }
      return new SparseIndex(dir, db, cache, snapshot, catalog);
    } catch (error) {
      if (db.open) db.close();
      throw error;
    }
  }

  /**
   * Drops damaged segments and keeps the catalog: files whose passages lived in a dropped segment are marked
   * `pending` (with an error note) so that ingest re-encodes them; their passage rows stay, without postings, until
   * then. `full: true` checks every checksum of every segment first (reads all files); otherwise only what open
   * checks (sizes, trailers, directories) plus `segments` named explicitly.
   */
  static repair(dir: string, options: OpenOptions & { full?: boolean; segments?: string[] } = {}): RepairReport {
    const index = SparseIndex.openForRepair(dir, options);
    try {
      const writer = index.openWriter();
      try {
        return writer.repair({ full: options.full ?? false, segments: options.segments ?? [] });
      } finally {
        writer.close();
      }
    } finally {
      index.close();
    }
  }

  private static openForRepair(dir: string, options: OpenOptions): SparseIndex {
    const db = openCatalogDatabase(catalogPath(dir), false);
    const catalog = new CatalogQueries(db);
    const cache = new ByteLru<CachedItem>(options.cacheBytes ?? 64 * 1024 * 1024);
    return new SparseIndex(dir, db, cache, new Snapshot(-1, null, []), catalog);
  }

  /** The generation (commit number) this index object currently reads. */
  get generation(): number {
    return this.current.generation;
  }

  /** The payload stored with the last commit (see IndexWriter.commit). */
  get payload(): unknown {
    return this.current.payload;
  }

  /**
   * Opens the index's single writer. Throws IndexLockedError when another one (in any process) is open.
   */
  openWriter(options: WriterOptions = {}): IndexWriter {
    this.assertOpen();
    if (this.writerInstance && !this.writerInstance.isClosed) {
      throw new IndexLockedError(`A writer is already open on the index in ${this.dir} (this SparseIndex object)`);
    }
    const lock = WriterLock.acquire(this.dir);
    try {
      this.refresh();
      this.writerInstance = new IndexWriter(this.writerHost(), lock, options);
      return this.writerInstance;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * Moves to the latest commit if there is a newer one. Cheap when nothing changed (one PRAGMA). Called by
   * `search` itself; returns true when the snapshot changed.
   */
  refresh(): boolean {
    this.assertOpen();
    const version = this.catalog.dataVersion();
    if (version === this.seenDataVersion) return false;
    return retryOnMovedCommit(this.catalog, () => this.db.transaction(() => this.moveToCatalogGeneration())());
  }

  /**
   * Inside a read transaction: makes the snapshot match the transaction's committed generation (a real read, so the
   * transaction's view is pinned by it).
   */
  private moveToCatalogGeneration(): boolean {
    this.seenDataVersion = this.catalog.dataVersion();
    const generation = this.catalog.generation();
    if (generation === this.current.generation) return false;
    const next = loadSnapshot(this.dir, this.catalog, this.cache, this.current);
    const previous = this.current;
    this.current = next;
    previous.release();
    return true;
  }

  /** What the writer may use of this index (writer-host.ts): nothing else of it is reachable from the writer. */
  private writerHost(): WriterHost {
    return {
      dir: this.dir,
      settings: this.settings,
      scale: this.scale,
      cache: this.cache,
      acquireSnapshot: () => this.current.retain(),
      refreshAfterCommit: () => this.db.transaction(() => this.moveToCatalogGeneration())(),
    };
  }

  /**
   * The top `k` passages by dot product with `query`. Exact mode returns the same scores, rank by rank, as a
   * brute-force scan over the stored quantized vectors.
   */
  search(query: SparseVector, options: SearchOptions = {}): SearchResult {
    this.assertOpen();
    validateSparseVector(query, this.settings.vocabSize, 'query vector', true);
    const k = options.k ?? 10;
    if (!(Number.isInteger(k) && k >= 1 && k <= SEARCH_K_LIMIT)) throw new IndexError('invalid-argument', `k must be an integer in 1..${SEARCH_K_LIMIT}, got ${k}`);
    const mode = options.mode ?? 'exact';
    if (mode !== 'exact' && mode !== 'approximate') throw new IndexError('invalid-argument', `mode must be 'exact' or 'approximate', got ${String(mode)}`);
    // One read transaction around the whole search: the snapshot's manifest and the catalog rows of the hits come
    // from the same committed state even when another process commits meanwhile.
    return retryOnMovedCommit(this.catalog, () =>
      this.db.transaction(() => {
        this.moveToCatalogGeneration();
        return this.searchSnapshot(this.current, query, k, mode, options);
      })(),
    );
  }

  private searchSnapshot(current: Snapshot, query: SparseVector, k: number, mode: 'exact' | 'approximate', options: SearchOptions): SearchResult {
    const snapshot = current.retain();
    try {
      return this.searcher.search(snapshot, this.catalog, query, k, mode, options);
    } finally {
      snapshot.release();
    }
  }

  listFolders(): FolderInfo[] {
    this.assertOpen();
    return this.catalog.listFolders();
  }

  listFiles(options: { status?: FileStatus; folder?: string; limit?: number; offset?: number } = {}): FileInfo[] {
    this.assertOpen();
    return this.catalog.listFiles(options);
  }

  getFile(pathOrId: string | number): FileInfo | undefined {
    this.assertOpen();
    return this.catalog.getFile(pathOrId);
  }

  passagesOfFile(pathOrId: string | number): PassageInfo[] {
    const file = this.getFile(pathOrId);
    return file ? this.catalog.passagesOfFile(file.id) : [];
  }

  getPassage(id: number): PassageInfo | undefined {
    this.assertOpen();
    return this.catalog.getPassage(id);
  }

  /**
   * Full-precision vectors of the given passages, as the writer stored them (`keepVectors`), read from the catalog
   * (the last commit another process made may be newer than this object's snapshot: call `refresh()` first).
   * Passages stored without one are absent from the map.
   */
  passageVectors(ids: readonly number[]): Map<number, SparseVector> {
    this.assertOpen();
    return this.catalog.passageVectors(ids);
  }

  /**
   * Exact dot products of `query` with the kept full-precision vectors of the given passages (one catalog read,
   * computed on the stored bytes; bit-identical to `sparseDot` on `passageVectors`). Passages without one are absent.
   */
  exactScores(query: SparseVector, ids: readonly number[]): Map<number, number> {
    this.assertOpen();
    const dense = denseQuery(query, this.settings.vocabSize);
    const out = new Map<number, number>();
    for (const [id, blob] of this.catalog.passageVectorBlobs(ids)) out.set(id, blobDot(dense, blob));
    return out;
  }

  /**
   * Every live passage with a kept vector whose file passes `filter`, by exact score (highest first; ties: lower
   * id), zero scores left out. A full scan of the catalog's vectors: the fallback when a candidate pool of at most
   * `SEARCH_K_LIMIT` passages cannot be shown to hold the exact top k. With `limit`, only the first `limit` of that
   * list (sorting 10,000 scores costs more than the scan of a sparse model's vectors).
   */
  exactScan(query: SparseVector, filter?: SearchFilter, limit?: number): { passageId: number; score: number }[] {
    this.assertOpen();
    const dense = denseQuery(query, this.settings.vocabSize);
    return this.db.transaction(() => {
      const constraining = effectiveFilter(filter);
      const allowed = constraining ? this.catalog.allowedFiles(constraining) : undefined;
      if (this.resident.update(this.catalog, this.catalog.generation(), this.settings.vocabSize)) {
        return firstByScore(this.resident.score(dense, allowed, limit), limit);
      }
      const out: { passageId: number; score: number }[] = [];
      for (const row of this.catalog.liveVectorBlobs()) {
        if (allowed && allowed[row.file_id] !== 1) continue;
        const score = blobDot(dense, row.vector);
        if (score > 0) out.push({ passageId: row.id, score });
      }
      return firstByScore(out, limit);
    })();
  }

  /** True while `exactScan` reads an in-memory copy of the vectors (it fits the budget and one scan loaded it). */
  get vectorsResident(): boolean {
    return this.resident.heldBytes > 0;
  }

  stats(): IndexStats {
    this.assertOpen();
    const segments = this.current.segments.map(({ row, reader }) => ({
      name: row.name,
      docCount: row.docCount,
      deletedCount: row.deletedCount,
      postingCount: row.postingCount,
      byteSize: row.byteSize,
      sections: reader.sectionBytes() as Record<string, number>,
    }));
    return {
      generation: this.current.generation,
      segments,
      docCount: segments.reduce((n, s) => n + s.docCount, 0),
      liveDocCount: segments.reduce((n, s) => n + s.docCount - s.deletedCount, 0),
      postingCount: segments.reduce((n, s) => n + s.postingCount, 0),
      segmentBytes: segments.reduce((n, s) => n + s.byteSize, 0),
      cacheBytes: this.cache.bytesUsed,
      cacheBudget: this.cache.byteBudget,
    };
  }

  /** Checks every checksum of every segment of the current snapshot; returns the problems found (empty = sound). */
  verify(): { segment: string; file: string; message: string }[] {
    this.assertOpen();
    const problems: { segment: string; file: string; message: string }[] = [];
    for (const { reader } of this.current.segments) {
      try {
        reader.verify();
      } catch (error) {
        problems.push({ segment: reader.name, file: reader.path, message: (error as Error).message });
      }
    }
    return problems;
  }

  /**
   * Checks that catalog and postings agree: every live doc of every segment has a passage row whose origin that
   * segment holds, and every passage with an origin has exactly one live doc. Throws IndexCorruptError otherwise.
   * Reads every passage id (tests and diagnostics, not the hot path).
   */
  checkConsistency(): void {
    this.assertOpen();
    const snapshot = this.current.retain();
    try {
      checkConsistency(this.dir, snapshot, this.catalog);
    } finally {
      snapshot.release();
    }
  }

  /** Closes the writer (rolling back uncommitted changes), the segment files and the catalog. */
  close(): void {
    if (this.closed) return;
    if (this.writerInstance && !this.writerInstance.isClosed) this.writerInstance.close();
    this.closed = true;
    this.current.release();
    this.cache.clear();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new IndexError('index-closed', `The index in ${this.dir} is closed`);
  }
}

function loadSnapshot(dir: string, catalog: CatalogQueries, cache: ByteLru<CachedItem>, previous?: Snapshot): Snapshot {
  const settings = catalog.settings();
  const expected = { scale: createQuantizer(settings.maxWeight).scale, vocabSize: settings.vocabSize };
  return Snapshot.load(dir, catalog.manifest(), cache, previous, expected);
}

/**
 * Runs `read` (a read transaction) again when it failed on a missing segment file because another process
 * committed and removed that file meanwhile; a missing file without a newer commit is real damage.
 */
function retryOnMovedCommit<T>(catalog: CatalogQueries, read: () => T): T {
  for (let attempt = 0; ; attempt++) {
    const generation = catalog.generation();
    try {
      return read();
    } catch (error) {
      const moved = error instanceof IndexCorruptError && error.kind === 'missing' && catalog.generation() !== generation;
      if (!moved || attempt >= 5) throw error;
    }
  }
}

/** The first `limit` (all when undefined) of `scored` by descending score, ties by ascending id. */
function firstByScore(scored: { passageId: number; score: number }[], limit: number | undefined): { passageId: number; score: number }[] {
  const order = (a: { passageId: number; score: number }, b: { passageId: number; score: number }) => b.score - a.score || a.passageId - b.passageId;
  if (limit === undefined || limit >= scored.length) return scored.sort(order);
  if (limit <= 0) return [];
  // The limit-th largest score from a typed sort (no comparator calls), then only the entries at or above it sorted.
  const threshold = Float64Array.from(scored, (entry) => entry.score).sort()[scored.length - limit]!;
  return scored.filter((entry) => entry.score >= threshold).sort(order).slice(0, limit);
}
