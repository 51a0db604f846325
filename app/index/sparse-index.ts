/**
 * SparseIndex: an on-disk index of sparse (SPLADE) passage vectors with a SQLite catalog. Open it, search it,
 * and open one writer at a time to change it. See index.ts for the API overview.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { totalmem } from 'node:os';
import type Database from 'better-sqlite3';
import {
  CatalogQueries,
  openCatalogDatabase,
  type FileFilter,
  type FileInfo,
  type FileStatus,
  type FolderInfo,
  type IndexSettings,
  type PassageInfo,
} from './catalog/catalog.js';
import { IndexCorruptError, IndexError, IndexLockedError } from './index-errors.js';
import { createQuantizer, DEFAULT_MAX_WEIGHT } from './quantization.js';
import { DEFAULT_VOCAB_SIZE, validateSparseVector, type SparseVector } from './sparse-vector.js';
import { ByteLru } from './storage/byte-lru.js';
import { listDirectory, tryRemove } from './storage/directory.js';
import { WriterLock } from './storage/writer-lock.js';
import { DEFAULT_BLOCK_SIZE, DEFAULT_BLOCKS_PER_PAGE, SEGMENT_EXTENSION, isSegmentName, segmentFileName } from './segment/segment-format.js';
import type { CachedItem, SegmentReader } from './segment/segment-reader.js';
import { Snapshot, isDeleted } from './snapshot.js';
import { prepareQuery, pruneQuery, type PreparedQuery } from './query/prepared-query.js';
import { SearchScratch, docTermImpacts, searchSegment, type BlockSearchStats, type SegmentView } from './query/block-max-search.js';
import { TopKHeap } from './query/top-k-heap.js';
import { IndexWriter, type WriterOptions } from './index-writer.js';

export const CATALOG_FILE = 'catalog.sqlite';

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

export interface SearchFilter extends FileFilter {}

export interface ApproximationOptions {
  /**
   * Query-term pruning for the block bounds: the bounds use only the heaviest query terms covering this fraction of
   * the query's total weight (1 = all terms). Blocks are still scored with the whole query, so returned scores are
   * exact; what can be missed is a passage whose light terms lift it into the top k.
   */
  queryMass?: number;
  /** At least this many terms are kept for the bounds. */
  minQueryTerms?: number;
  /** At most this many terms are kept for the bounds. */
  maxQueryTerms?: number;
  /** Stop once the k-th score reaches alpha × the best remaining block bound (1 = stop at the bound). */
  alpha?: number;
}

/** Defaults chosen on the SPLADE-like benchmark data: recall@10 about 0.98 against exact at 1M passages. */
export const DEFAULT_APPROXIMATION: Required<ApproximationOptions> = {
  queryMass: 0.8,
  minQueryTerms: 8,
  maxQueryTerms: 80,
  alpha: 1,
};

export interface SearchOptions {
  /** Number of hits (default 10). */
  k?: number;
  /** 'exact' (default): the true top k by dot product. 'approximate': faster, tuned by `approximation`. */
  mode?: 'exact' | 'approximate';
  approximation?: ApproximationOptions;
  filter?: SearchFilter;
  /** Per-term contributions of each hit (default true). */
  contributions?: boolean;
}

/** One matched term of a hit: query weight × passage weight = contribution. */
export interface TermContribution {
  term: number;
  queryWeight: number;
  passageWeight: number;
  contribution: number;
}

export interface SearchHit {
  passageId: number;
  /** Dot product of the query with the passage's stored (quantized) vector. */
  score: number;
  passage: PassageInfo;
  file: FileInfo;
  /** Matched terms, largest contribution first (empty when `contributions: false`). */
  terms: TermContribution[];
}

export interface SearchStats extends BlockSearchStats {
  segments: number;
  /** Terms of the query (non-zero weights). */
  queryTerms: number;
  /** Terms used for the block bounds (all of them in exact mode). */
  queryTermsUsed: number;
  /** The commit the search read. */
  generation: number;
}

export interface SearchResult {
  hits: SearchHit[];
  stats: SearchStats;
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

export interface RepairReport {
  droppedSegments: { name: string; problem: string }[];
  /** Files marked `pending` for re-encoding. */
  files: string[];
  generation: number;
}

export class SparseIndex {
  readonly dir: string;
  readonly settings: IndexSettings;
  /** Weight of one impact unit. */
  readonly scale: number;
  /** @internal shared with the writer */
  readonly cache: ByteLru<CachedItem>;
  /** @internal */
  readonly db: Database.Database;
  /** @internal */
  readonly catalog: CatalogQueries;
  private current: Snapshot;
  private seenDataVersion: number;
  private readonly scratch = new SearchScratch();
  private writerInstance: IndexWriter | undefined;
  private closed = false;
  private filterCache: { key: string; dataVersion: number; allowed: Uint8Array } | undefined;
  private readonly filterViews = new WeakMap<SegmentReader, { allowedFiles: Uint8Array; view: Partial<SegmentView> }>();

  private constructor(dir: string, db: Database.Database, cache: ByteLru<CachedItem>, snapshot: Snapshot, catalog: CatalogQueries) {
    this.dir = dir;
    this.db = db;
    this.catalog = catalog;
    this.settings = catalog.settings();
    this.scale = createQuantizer(this.settings.maxWeight).scale;
    this.cache = cache;
    this.current = snapshot;
    this.seenDataVersion = catalog.dataVersion();
  }

  /**
   * Opens the index in `dir` (creating it unless `create: false`). Removes files no commit references (left by a
   * crash) when no writer is active. Does not load postings: only directories, a few hundred KB per segment.
   */
  static open(dir: string, options: OpenOptions = {}): SparseIndex {
    const create = options.create ?? true;
    if (!existsSync(join(dir, CATALOG_FILE))) {
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
    const db = openCatalogDatabase(join(dir, CATALOG_FILE), create, settings);
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
    const db = openCatalogDatabase(join(dir, CATALOG_FILE), false);
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
      this.writerInstance = new IndexWriter(this, lock, options);
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

  /** @internal the writer calls this after its commits. */
  refreshAfterCommit(): void {
    this.db.transaction(() => this.moveToCatalogGeneration())();
  }

  /** @internal the current snapshot, retained: the caller must release it. */
  acquireSnapshot(): Snapshot {
    return this.current.retain();
  }

  /**
   * The top `k` passages by dot product with `query`. Exact mode returns the same scores, rank by rank, as a
   * brute-force scan over the stored quantized vectors.
   */
  search(query: SparseVector, options: SearchOptions = {}): SearchResult {
    this.assertOpen();
    validateSparseVector(query, this.settings.vocabSize, 'query vector', true);
    const k = options.k ?? 10;
    if (!(Number.isInteger(k) && k >= 1 && k <= 10000)) throw new IndexError('invalid-argument', `k must be an integer in 1..10000, got ${k}`);
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
      const full = prepareQuery(query);
      const approx = { ...DEFAULT_APPROXIMATION, ...(options.approximation ?? {}) };
      const exact = mode === 'exact';
      // Approximate mode bounds blocks with the heaviest query terms only, and scores them with all of them.
      const bounds = exact ? full : pruneQuery(full, approx.queryMass, approx.minQueryTerms, approx.maxQueryTerms);
      const alpha = exact ? 1 : Math.min(1, Math.max(0.01, approx.alpha));
      const stats: SearchStats = {
        blocksScored: 0,
        blocksTotal: 0,
        postingsScored: 0,
        boundMs: 0,
        scoreMs: 0,
        segments: snapshot.segments.length,
        queryTerms: full.terms.length,
        queryTermsUsed: bounds.terms.length,
        generation: snapshot.generation,
      };
      const allowedFiles = options.filter ? this.allowedFiles(options.filter) : undefined;
      const heap = new TopKHeap(k);
      snapshot.segments.forEach((segment, slot) => {
        const view: SegmentView = { reader: segment.reader, deleted: segment.deleted };
        if (allowedFiles) Object.assign(view, this.filterView(segment.reader, allowedFiles));
        searchSegment(view, slot, bounds, heap, alpha, this.scratch, stats, full);
      });
      const ranked = heap.sorted();
      const hits = this.materialize(snapshot, ranked, full, options.contributions ?? true);
      return { hits, stats };
    } finally {
      snapshot.release();
    }
  }

  private materialize(snapshot: Snapshot, ranked: { score: number; key: number }[], query: PreparedQuery, contributions: boolean): SearchHit[] {
    const located = ranked.map(({ score, key }) => {
      const segment = snapshot.segments[Math.floor(key / 4294967296)]!;
      const doc = key % 4294967296;
      return { score, segment, doc, pid: segment.reader.docs().pids[doc]! };
    });
    const rows = this.catalog.passagesWithFiles(located.map((hit) => hit.pid));
    const weightOf = new Map<number, number>();
    for (let i = 0; i < query.terms.length; i++) weightOf.set(query.terms[i]!, query.weights[i]!);
    const hits: SearchHit[] = [];
    for (const hit of located) {
      const row = rows.get(hit.pid);
      if (!row) {
        throw new IndexCorruptError(
          `Passage ${hit.pid} of segment ${hit.segment.reader.name} has postings but no catalog row`,
          join(this.dir, CATALOG_FILE),
          hit.segment.reader.name,
        );
      }
      const terms: TermContribution[] = [];
      if (contributions) {
        const found = docTermImpacts(hit.segment.reader, hit.doc, query.terms);
        for (let i = 0; i < found.terms.length; i++) {
          const queryWeight = weightOf.get(found.terms[i]!)!;
          const passageWeight = found.impacts[i]! * this.scale;
          terms.push({ term: found.terms[i]!, queryWeight, passageWeight, contribution: queryWeight * passageWeight });
        }
        terms.sort((a, b) => b.contribution - a.contribution || a.term - b.term);
      }
      hits.push({ passageId: hit.pid, score: hit.score * this.scale, passage: row.passage, file: row.file, terms });
    }
    return hits;
  }

  /** Per-doc and per-block filter masks of a segment, cached for the last filter (same bitmap object). */
  private filterView(reader: SegmentReader, allowedFiles: Uint8Array): Partial<SegmentView> {
    const cached = this.filterViews.get(reader);
    if (cached && cached.allowedFiles === allowedFiles) return cached.view;
    const view = filterView(reader, allowedFiles);
    this.filterViews.set(reader, { allowedFiles, view });
    return view;
  }

  private allowedFiles(filter: SearchFilter): Uint8Array {
    const key = JSON.stringify(filter);
    const version = this.catalog.dataVersion();
    if (this.filterCache && this.filterCache.key === key && this.filterCache.dataVersion === version) return this.filterCache.allowed;
    const allowed = this.catalog.allowedFiles(filter);
    this.filterCache = { key, dataVersion: version, allowed };
    return allowed;
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
      const fail = (problem: string) => new IndexCorruptError(`Index in ${this.dir} is inconsistent: ${problem}`, join(this.dir, CATALOG_FILE), undefined, 'inconsistent');
      const rows = this.db.prepare('SELECT id, origin FROM passages WHERE origin IS NOT NULL').raw().all() as [number, string][];
      const originOf = new Map<number, string>();
      for (const [id, origin] of rows) originOf.set(id, origin);
      const seen = new Set<number>();
      for (const segment of snapshot.segments) {
        const { pids } = segment.reader.docs();
        for (let doc = 0; doc < segment.reader.docCount; doc++) {
          if (isDeleted(segment.deleted, doc)) continue;
          const pid = pids[doc]!;
          const origin = originOf.get(pid);
          if (origin === undefined) throw fail(`segment ${segment.row.name} doc ${doc} has postings for passage ${pid}, which has no catalog row`);
          if (!segment.origins.includes(origin)) throw fail(`passage ${pid} (origin ${origin}) is live in segment ${segment.row.name}, which does not hold that origin`);
          if (seen.has(pid)) throw fail(`passage ${pid} is live twice`);
          seen.add(pid);
        }
      }
      if (seen.size !== originOf.size) {
        const missing = [...originOf.keys()].find((id) => !seen.has(id));
        throw fail(`passage ${missing} (origin ${String(originOf.get(missing!))}) has a catalog row but no postings`);
      }
      const counts = this.db.prepare('SELECT f.id, f.passage_count, count(p.id) AS n FROM files f LEFT JOIN passages p ON p.file_id = f.id GROUP BY f.id').all() as {
        id: number;
        passage_count: number;
        n: number;
      }[];
      for (const row of counts) if (row.passage_count !== row.n) throw fail(`file ${row.id} records ${row.passage_count} passages but has ${row.n}`);
      const orphans = this.db.prepare('SELECT count(*) FROM passages p LEFT JOIN files f ON f.id = p.file_id WHERE f.id IS NULL').pluck().get() as number;
      if (orphans > 0) throw fail(`${orphans} passages belong to no file`);
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

function filterView(reader: SegmentReader, allowedFiles: Uint8Array): Partial<SegmentView> {
  const { fileIds } = reader.docs();
  const n = reader.docCount;
  const allowed = new Uint8Array(n);
  const blockAllowed = new Uint8Array(reader.blockCount);
  const bs = reader.blockSize;
  for (let doc = 0; doc < n; doc++) {
    const file = fileIds[doc]!;
    if (file < allowedFiles.length && allowedFiles[file] === 1) {
      allowed[doc] = 1;
      blockAllowed[Math.floor(doc / bs)] = 1;
    }
  }
  return { allowed, blockAllowed };
}
