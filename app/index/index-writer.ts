/**
 * IndexWriter: the one writer of an index. Changes (files, passages, folders) accumulate in an open SQLite write
 * transaction plus an in-memory batch of vectors (flushed to immutable segment files when large); `commit()` makes
 * them visible atomically.
 *
 * Commit protocol (each step a fail point for the crash suite):
 *   1. `segment.write` / `segment.fsync` / `segment.written`: the pending batch becomes a segment file, fsynced;
 *   2. `commit.before-dir-sync`: the directory is fsynced, so the files exist before anything references them;
 *   3. in the transaction: segment rows, tombstones, merge swaps, generation + 1 and payload;
 *   4. `commit.before-sqlite-commit`, then COMMIT — the single commit point — then `commit.after-sqlite-commit`;
 *   5. `commit.gc`: files no commit references any more are deleted (a crash here leaves orphans that the next
 *      open removes).
 * A crash before 4 leaves the previous commit; after 4 the new one. Any error before 4 rolls back every
 * uncommitted change (the index stays at its last commit) and throws IndexError('commit-failed').
 *
 * Merges run in a worker thread on committed, immutable segments and are swapped in by a later commit, so they
 * never block searches; deletes that happen meanwhile are carried over to the merged segment at the swap.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { CATALOG_FILE, removeOrphans, type RepairReport, type SparseIndex } from './sparse-index.js';
import { CatalogQueries, FILE_STATUSES, encodeVectorBlob, extensionOf, type FileInfo, type FileStatus, type FolderInfo, fileFromRow } from './catalog/catalog.js';
import { IndexCorruptError, IndexError } from './index-errors.js';
import { quantize } from './quantization.js';
import { validateSparseVector, type SparseVector } from './sparse-vector.js';
import { ForwardBatch } from './segment/forward-batch.js';
import { reorderDocs } from './segment/doc-reorder.js';
import { serializeSegment } from './segment/segment-serializer.js';
import { SegmentReader } from './segment/segment-reader.js';
import { segmentFileName, type SegmentMeta } from './segment/segment-format.js';
import { syncDirectory } from './storage/directory.js';
import { failPoint } from './storage/fail-points.js';
import type { WriterLock } from './storage/writer-lock.js';
import { Snapshot, bitmapFor, countBits, setDeleted } from './snapshot.js';
import { DEFAULT_MERGE_POLICY, findMerges, forcedMerges, type MergePolicyOptions } from './merge/merge-policy.js';
import type { MergeJob } from './merge/segment-merger.js';
import type { MergeWorkerResult } from './merge/merge-worker.js';
import { startWorker } from '../util/start-worker.js';

export interface WriterOptions {
  /** Write the in-memory batch to a segment file once it holds about this many bytes (default 192 MiB). */
  flushBytes?: number;
  /** Merge segments in a worker thread after commits, as the merge policy says (default true). */
  autoMerge?: boolean;
  mergePolicy?: Partial<MergePolicyOptions>;
  /**
   * Also store each passage's full-precision vector with its catalog row (same transaction), so that a searcher can
   * rescore candidates exactly (`SparseIndex.passageVectors`). Default false: postings keep 8-bit impacts only.
   */
  keepVectors?: boolean;
}

/** A file as the writer records it. Fields left out keep their stored value (or stay null for a new file). */
export interface FileInput {
  /** Absolute path; the key of the file. */
  path: string;
  size?: number | null;
  mtimeMs?: number | null;
  contentHash?: string | null;
  /** Default: `indexed` for upsertFile, unchanged (or `pending` for a new file) for markFile. */
  status?: FileStatus;
  error?: string | null;
  /** A short stable code for the reason in `error` (kept while the status keeps a reason, cleared otherwise). */
  reasonCode?: string | null;
}

export interface PassageInput {
  vector: SparseVector;
  /** Character range of the passage in the file's text (code points, [charStart, charEnd)). */
  charStart: number;
  charEnd: number;
  /** Position in the file (default: its index in the array). */
  ordinal?: number;
  page?: number | null;
  line?: number | null;
  /** The passage text, or null when the app re-extracts it from the file (by its range). */
  text?: string | null;
}

export interface CommitInfo {
  generation: number;
  /** False when there was nothing to commit. */
  changed: boolean;
  segmentsAdded: string[];
  segmentsRemoved: string[];
}

interface PendingSegment {
  name: string;
  path: string;
  reader: SegmentReader;
  meta: SegmentMeta;
  byteSize: number;
  deleted: Uint8Array;
}

interface CompletedMerge {
  inputs: string[];
  /** Tombstones of each input when the merge started. */
  startDeleted: Map<string, Uint8Array | null>;
  /** The merged segment, or null when no input had live docs (the inputs are just dropped). */
  output: { name: string; path: string; reader: SegmentReader; meta: SegmentMeta; byteSize: number } | null;
}

interface RunningMerge {
  inputs: string[];
  outputName: string;
  worker: Worker | undefined;
  done: Promise<void>;
}

export class IndexWriter {
  private readonly db: Database.Database;
  private readonly statements;
  private inTransaction = false;
  private batch = new ForwardBatch();
  private batchName: string;
  private batchDocOfPid = new Map<number, number>();
  private flushed: PendingSegment[] = [];
  /** Tombstones added since the last commit, per committed segment (full bitmaps). */
  private tombstones = new Map<string, Uint8Array>();
  private snapshot: Snapshot;
  private folders: FolderInfo[] | undefined;
  private readonly running: RunningMerge[] = [];
  private completed: CompletedMerge[] = [];
  private mergeErrors: Error[] = [];
  /** Segments whose merge failed (e.g. a damaged input): left out of merges until a repair drops them. */
  private readonly mergeFailed = new Set<string>();
  private closed = false;
  private readonly flushBytes: number;
  private readonly autoMerge: boolean;
  private readonly keepVectors: boolean;
  private readonly policy: MergePolicyOptions;
  private readonly impactScratch: Uint8Array;

  /** @internal use SparseIndex.openWriter() */
  constructor(
    private readonly index: SparseIndex,
    private readonly lock: WriterLock,
    options: WriterOptions,
  ) {
    this.flushBytes = options.flushBytes ?? 192 * 1024 * 1024;
    this.autoMerge = options.autoMerge ?? true;
    this.keepVectors = options.keepVectors ?? false;
    this.policy = { ...DEFAULT_MERGE_POLICY, ...(options.mergePolicy ?? {}) };
    this.db = new Database(join(index.dir, CATALOG_FILE), { fileMustExist: true, timeout: 10000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.impactScratch = new Uint8Array(index.settings.vocabSize);
    const db = this.db;
    this.statements = {
      fileByPath: db.prepare('SELECT * FROM files WHERE path = ?'),
      insertFile: db.prepare(
        `INSERT INTO files (folder_id, path, ext, size, mtime_ms, content_hash, status, error, reason_code, passage_count, updated_ms)
         VALUES (@folderId, @path, @ext, @size, @mtimeMs, @contentHash, @status, @error, @reasonCode, @passageCount, @updatedMs)`,
      ),
      updateFile: db.prepare(
        `UPDATE files SET folder_id = @folderId, size = @size, mtime_ms = @mtimeMs, content_hash = @contentHash, status = @status,
         error = @error, reason_code = @reasonCode, passage_count = @passageCount, updated_ms = @updatedMs WHERE id = @id`,
      ),
      deleteFile: db.prepare('DELETE FROM files WHERE id = ?'),
      passagesOfFile: db.prepare('SELECT id, origin FROM passages WHERE file_id = ?').raw(),
      deletePassagesOfFile: db.prepare('DELETE FROM passages WHERE file_id = ?'),
      insertPassage: db.prepare(
        'INSERT INTO passages (file_id, ordinal, char_start, char_end, page, line, text, origin, vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertSegment: db.prepare(
        `INSERT INTO segments (name, doc_count, posting_count, byte_size, deleted_count, deleted, generation, meta)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateTombstones: db.prepare('UPDATE segments SET deleted = ?, deleted_count = ? WHERE name = ?'),
      deleteSegment: db.prepare('DELETE FROM segments WHERE name = ?'),
      insertOrigin: db.prepare('INSERT OR IGNORE INTO segment_origins (segment, origin) VALUES (?, ?)'),
      deleteOrigins: db.prepare('DELETE FROM segment_origins WHERE segment = ?'),
      setMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
      folders: db.prepare('SELECT id, path, added_ms FROM folders'),
      insertFolder: db.prepare('INSERT INTO folders (path, added_ms) VALUES (?, ?)'),
      deleteFolder: db.prepare('DELETE FROM folders WHERE id = ?'),
      filesOfFolder: db.prepare('SELECT id FROM files WHERE folder_id = ?').pluck(),
    };
    this.snapshot = index.acquireSnapshot();
    this.batchName = this.newSegmentName();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** True while there are changes not yet committed. */
  get hasUncommittedChanges(): boolean {
    return this.inTransaction;
  }

  // ---------------------------------------------------------------- folders

  /** Registers a folder (files under it get its folder id). Returns it, also when it existed. */
  addFolder(path: string): FolderInfo {
    this.assertOpen();
    requirePath(path, 'folder path');
    const existing = this.loadFolders().find((folder) => folder.path === path);
    if (existing) return existing;
    return this.mutate(() => {
      const addedMs = Date.now();
      const id = Number(this.statements.insertFolder.run(path, addedMs).lastInsertRowid);
      this.folders = undefined;
      // Files already known under it now belong to it (unless a deeper registered folder holds them).
      const files = this.db.prepare('SELECT id, path, folder_id FROM files').all() as { id: number; path: string; folder_id: number | null }[];
      const update = this.db.prepare('UPDATE files SET folder_id = ? WHERE id = ?');
      for (const file of files) {
        const folderId = this.folderOf(file.path);
        if (folderId !== file.folder_id) update.run(folderId, file.id);
      }
      return { id, path, addedMs };
    });
  }

  /** Unregisters a folder and deletes the files (and passages) it holds. Returns the number of files removed. */
  removeFolder(path: string): number {
    this.assertOpen();
    const folder = this.loadFolders().find((candidate) => candidate.path === path);
    if (!folder) return 0;
    return this.mutate(() => {
      const fileIds = this.statements.filesOfFolder.all(folder.id) as number[];
      for (const fileId of fileIds) {
        this.removePassagesOfFile(fileId);
        this.statements.deleteFile.run(fileId);
      }
      this.statements.deleteFolder.run(folder.id);
      this.folders = undefined;
      return fileIds.length;
    });
  }

  // ---------------------------------------------------------------- files

  /**
   * Replaces the passages of `file` (creating the file row if needed) with `passages`. Every vector is checked
   * first: a malformed one throws InvalidVectorError and changes nothing. Returns the file id (stable across
   * replacements) and the new passage ids.
   */
  upsertFile(file: FileInput, passages: PassageInput[]): { fileId: number; passageIds: number[] } {
    this.assertOpen();
    requirePath(file?.path, 'file path');
    if (!Array.isArray(passages)) throw new IndexError('invalid-argument', `passages of ${file.path} must be an array`);
    if (file.status !== undefined) requireStatus(file.path, file.status);
    const vocab = this.index.settings.vocabSize;
    passages.forEach((passage, i) => {
      const what = `passage ${i} of ${file.path}`;
      if (passage === null || typeof passage !== 'object') throw new IndexError('invalid-argument', `${what}: expected an object`);
      validateSparseVector(passage.vector, vocab, what);
      if (!isCount(passage.charStart) || !isCount(passage.charEnd) || passage.charEnd < passage.charStart) {
        throw new IndexError('invalid-argument', `${what}: character range [${passage.charStart}, ${passage.charEnd}) is not a range of non-negative integers`);
      }
      for (const key of ['page', 'line', 'ordinal'] as const) {
        const value = passage[key];
        if (value !== undefined && value !== null && !isCount(value)) throw new IndexError('invalid-argument', `${what}: ${key} must be a non-negative integer, got ${value}`);
      }
      if (passage.text !== undefined && passage.text !== null && typeof passage.text !== 'string') {
        throw new IndexError('invalid-argument', `${what}: text must be a string or null`);
      }
    });
    return this.mutate(() => {
      const fileId = this.writeFileRow(file, file.status ?? 'indexed', passages.length, true);
      const scale = this.index.scale;
      const codes = this.impactScratch;
      const passageIds: number[] = [];
      for (let i = 0; i < passages.length; i++) {
        const passage = passages[i]!;
        const pid = Number(
          this.statements.insertPassage.run(
            fileId,
            passage.ordinal ?? i,
            passage.charStart,
            passage.charEnd,
            passage.page ?? null,
            passage.line ?? null,
            passage.text ?? null,
            this.batchName,
            this.keepVectors ? encodeVectorBlob(passage.vector.indices, passage.vector.values) : null,
          ).lastInsertRowid,
        );
        if (pid > 0xffffffff) throw new IndexError('invalid-argument', `passage id ${pid} exceeds the segment format's 32 bits`);
        const { indices, values } = passage.vector;
        for (let j = 0; j < values.length; j++) codes[j] = quantize(values[j]!, scale);
        const doc = this.batch.add(pid, fileId, indices, codes, indices.length);
        this.batchDocOfPid.set(pid, doc);
        passageIds.push(pid);
      }
      if (this.batch.bytes >= this.flushBytes) this.flushBatch();
      return { fileId, passageIds };
    });
  }

  /**
   * Creates or updates a file's row without touching its passages: e.g. `status: 'pending'` when ingest queues a
   * file, `status: 'error'` with `error` when it cannot read one. Returns the file.
   */
  markFile(file: FileInput): FileInfo {
    this.assertOpen();
    requirePath(file?.path, 'file path');
    if (file.status !== undefined) requireStatus(file.path, file.status);
    return this.mutate(() => {
      const existing = this.statements.fileByPath.get(file.path) as Record<string, unknown> | undefined;
      const status = file.status ?? (existing ? (existing.status as FileStatus) : 'pending');
      const id = this.writeFileRow(file, status, existing ? (existing.passage_count as number) : 0, false);
      return fileFromRow(this.db.prepare('SELECT * FROM files WHERE id = ?').get(id) as never);
    });
  }

  /** Deletes a file and its passages. Returns false when the index does not know the path. */
  deleteFile(path: string): boolean {
    this.assertOpen();
    requirePath(path, 'file path');
    const existing = this.statements.fileByPath.get(path) as { id: number } | undefined;
    if (!existing) return false;
    return this.mutate(() => {
      this.removePassagesOfFile(existing.id);
      this.statements.deleteFile.run(existing.id);
      return true;
    });
  }

  /**
   * Re-points a file to a new path (a rename or move with the same content) keeping its passages and their postings:
   * nothing is re-encoded. `file` may update size and mtime; the folder and extension follow the new path. Returns
   * false when the index does not know `from`; throws when `file.path` is already taken by another file.
   */
  renameFile(from: string, file: FileInput): boolean {
    this.assertOpen();
    requirePath(from, 'file path');
    requirePath(file?.path, 'file path');
    const existing = this.statements.fileByPath.get(from) as Record<string, unknown> | undefined;
    if (!existing) return false;
    if (from === file.path) return true;
    if (this.statements.fileByPath.get(file.path)) throw new IndexError('invalid-argument', `cannot rename ${from} to ${file.path}: that path is already in the index`);
    return this.mutate(() => {
      this.db.prepare('UPDATE files SET path = ?, ext = ? WHERE id = ?').run(file.path, extensionOf(file.path), existing.id);
      this.writeFileRow(file, file.status ?? (existing.status as FileStatus), existing.passage_count as number, false);
      return true;
    });
  }

  // ---------------------------------------------------------------- commit

  /**
   * Makes every change since the last commit visible and durable, atomically. `payload` (any JSON value) is stored
   * with the commit (e.g. an ingest checkpoint); without it the previous payload is kept.
   */
  commit(payload?: unknown): CommitInfo {
    this.assertOpen();
    if (!this.inTransaction && this.completed.length === 0 && payload === undefined) {
      return { generation: this.snapshot.generation, changed: false, segmentsAdded: [], segmentsRemoved: [] };
    }
    const added: string[] = [];
    const removed: string[] = [];
    let generation: number;
    try {
      this.flushBatch();
      failPoint('commit.before-dir-sync');
      syncDirectory(this.index.dir);
      this.begin();
      generation = Number(this.statements.getMeta.get('generation')) + 1;
      for (const segment of this.flushed) {
        this.insertSegmentRow(segment.name, segment.meta, segment.byteSize, segment.deleted, generation);
        this.statements.insertOrigin.run(segment.name, segment.name);
        added.push(segment.name);
      }
      for (const merge of this.completed) {
        if (this.applyMerge(merge, generation)) {
          removed.push(...merge.inputs);
          if (merge.output) added.push(merge.output.name);
        }
      }
      for (const [name, bitmap] of this.tombstones) this.statements.updateTombstones.run(bitmap, countBits(bitmap), name);
      this.statements.setMeta.run('generation', String(generation));
      if (payload !== undefined) this.statements.setMeta.run('payload', JSON.stringify(payload));
      failPoint('commit.before-sqlite-commit');
      this.db.exec('COMMIT');
      this.inTransaction = false;
    } catch (error) {
      this.rollbackAfterFailure();
      const committed = this.snapshot.generation;
      if (error instanceof IndexError && error.code === 'commit-failed') throw error;
      throw new IndexError('commit-failed', `Commit failed; the index stays at generation ${committed}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    failPoint('commit.after-sqlite-commit');
    this.afterCommit();
    return { generation, changed: true, segmentsAdded: added, segmentsRemoved: removed };
  }

  /** Discards every uncommitted change. */
  rollback(): void {
    this.assertOpen();
    this.discardPending();
  }

  // ---------------------------------------------------------------- merges

  /** Starts the merges the policy asks for (one at a time, in a worker thread). Returns how many were started. */
  maybeMerge(): number {
    this.assertOpen();
    if (this.running.length > 0) return 0;
    const busy = new Set<string>(this.mergeFailed);
    for (const merge of this.completed) for (const name of merge.inputs) busy.add(name);
    const candidates = findMerges(this.mergeInputs(), this.policy, busy);
    if (candidates.length === 0) return 0;
    this.startMerge(candidates[0]!);
    return 1;
  }

  /**
   * Waits until no merge is running, then commits the finished ones (unless uncommitted changes are pending, in
   * which case the next commit carries them). Rejects with the first error of a failed merge since the last call
   * (a failed merge changes nothing: its inputs stay as they were, and commits are not affected).
   */
  async waitForMerges(): Promise<void> {
    while (this.running.length > 0) await Promise.all(this.running.map((merge) => merge.done));
    this.throwMergeErrors();
    if (this.completed.length > 0 && !this.inTransaction) this.commit();
  }

  /** Merges until at most `maxSegments` segments remain and none has tombstones (like a force-merge). */
  async forceMerge(maxSegments = 1): Promise<void> {
    this.assertOpen();
    if (this.inTransaction) throw new IndexError('invalid-argument', 'forceMerge needs a committed state: commit or roll back first');
    for (;;) {
      await this.waitForMerges();
      const groups = forcedMerges(this.mergeInputs(), maxSegments, this.mergeFailed);
      if (groups.length === 0) return;
      for (const group of groups) {
        this.startMerge(group);
        await this.waitForMerges();
      }
    }
  }

  // ---------------------------------------------------------------- repair

  /** @internal see SparseIndex.repair */
  repair(options: { full: boolean; segments: string[] }): RepairReport {
    this.assertOpen();
    if (this.inTransaction) throw new IndexError('invalid-argument', 'repair needs a committed state: commit or roll back first');
    const manifest = new CatalogQueries(this.db).manifest();
    const bad: { name: string; problem: string }[] = [];
    for (const row of manifest.segments) {
      let reader: SegmentReader | undefined;
      try {
        reader = SegmentReader.open(join(this.index.dir, segmentFileName(row.name)), row.name, this.index.cache, row.byteSize);
        if (reader.docCount !== row.docCount) throw new IndexCorruptError(`holds ${reader.docCount} docs, the catalog recorded ${row.docCount}`, reader.path, row.name);
        if (options.full || options.segments.includes(row.name)) reader.verify();
      } catch (error) {
        if (!(error instanceof IndexCorruptError)) throw error;
        bad.push({ name: row.name, problem: error.message });
      } finally {
        reader?.release();
      }
    }
    if (bad.length === 0) return { droppedSegments: [], files: [], generation: manifest.generation };
    const files = new Set<string>();
    this.begin();
    let generation: number;
    try {
      generation = Number(this.statements.getMeta.get('generation')) + 1;
      for (const { name } of bad) {
        const origins = manifest.origins.get(name) ?? [name];
        const marks = origins.map(() => '?').join(',');
        const affected = this.db
          .prepare(`SELECT DISTINCT f.id, f.path FROM passages p JOIN files f ON f.id = p.file_id WHERE p.origin IN (${marks})`)
          .all(...origins) as { id: number; path: string }[];
        const note = `segment ${name} was damaged and dropped; the file must be encoded again`;
        const markFile = this.db.prepare(`UPDATE files SET status = 'pending', error = ?, updated_ms = ? WHERE id = ?`);
        for (const file of affected) {
          markFile.run(note, Date.now(), file.id);
          files.add(file.path);
        }
        this.db.prepare(`UPDATE passages SET origin = NULL WHERE origin IN (${marks})`).run(...origins);
        this.statements.deleteSegment.run(name);
        this.statements.deleteOrigins.run(name);
      }
      this.statements.setMeta.run('generation', String(generation));
      this.db.exec('COMMIT');
      this.inTransaction = false;
    } catch (error) {
      this.rollbackAfterFailure();
      throw error;
    }
    this.afterCommit();
    return { droppedSegments: bad, files: [...files].sort(), generation };
  }

  /** Rolls back uncommitted changes, stops running merges, releases the lock. */
  close(): void {
    if (this.closed) return;
    try {
      this.discardPending();
      for (const merge of this.running) {
        void merge.worker?.terminate();
        const path = join(this.index.dir, segmentFileName(merge.outputName));
        // The file may still be open in the worker; whatever remains is an orphan the next open removes.
        setTimeout(() => rmSync(path, { force: true }), 200).unref();
      }
      for (const merge of this.completed) this.dropCompletedMerge(merge);
      this.completed = [];
      this.snapshot.release();
    } finally {
      this.closed = true;
      this.db.close();
      this.lock.release();
    }
  }

  // ---------------------------------------------------------------- internals

  /**
   * Runs one change inside the write transaction. If it fails half-way, every uncommitted change is discarded (the
   * index stays at its last commit), so no half-applied change can be committed later.
   */
  private mutate<T>(change: () => T): T {
    this.begin();
    try {
      return change();
    } catch (error) {
      this.rollbackAfterFailure();
      throw error;
    }
  }

  private begin(): void {
    if (this.inTransaction) return;
    this.db.exec('BEGIN IMMEDIATE');
    this.inTransaction = true;
  }

  private writeFileRow(file: FileInput, status: FileStatus, passageCount: number, replacePassages: boolean): number {
    requireStatus(file.path, status);
    const existing = this.statements.fileByPath.get(file.path) as Record<string, unknown> | undefined;
    const pick = <T>(value: T | undefined, column: string): T | null => (value !== undefined ? value : existing ? (existing[column] as T) : null);
    const row = {
      folderId: this.folderOf(file.path),
      path: file.path,
      ext: extensionOf(file.path),
      size: pick(file.size, 'size'),
      mtimeMs: pick(file.mtimeMs, 'mtime_ms'),
      contentHash: pick(file.contentHash, 'content_hash'),
      status,
      error: file.error !== undefined ? file.error : keepsReason(status) && existing ? (existing.error as string | null) : null,
      reasonCode: file.reasonCode !== undefined ? file.reasonCode : keepsReason(status) && existing ? (existing.reason_code as string | null) : null,
      passageCount,
      updatedMs: Date.now(),
    };
    if (existing) {
      if (replacePassages) this.removePassagesOfFile(existing.id as number);
      this.statements.updateFile.run({ ...row, id: existing.id });
      return existing.id as number;
    }
    return Number(this.statements.insertFile.run(row).lastInsertRowid);
  }

  private removePassagesOfFile(fileId: number): void {
    const rows = this.statements.passagesOfFile.all(fileId) as [number, string | null][];
    for (const [pid, origin] of rows) this.tombstone(pid, origin);
    this.statements.deletePassagesOfFile.run(fileId);
  }

  /** Marks passage `pid` (postings first written to `origin`) deleted wherever its postings are now. */
  private tombstone(pid: number, origin: string | null): void {
    if (origin === null) return;
    if (origin === this.batchName) {
      const doc = this.batchDocOfPid.get(pid);
      if (doc !== undefined) {
        this.batch.removed.add(doc);
        this.batchDocOfPid.delete(pid);
      }
      return;
    }
    const pending = this.flushed.find((segment) => segment.name === origin);
    if (pending) {
      const doc = pending.reader.docOfPassage(pid);
      if (doc >= 0) setDeleted(pending.deleted, doc);
      return;
    }
    const segment = this.snapshot.segmentOfOrigin(origin);
    const doc = segment ? segment.reader.docOfPassage(pid) : -1;
    if (!segment || doc < 0) {
      throw new IndexCorruptError(
        `Passage ${pid} records origin ${origin}, but no live segment holds it`,
        join(this.index.dir, CATALOG_FILE),
        segment?.row.name,
      );
    }
    let bitmap = this.tombstones.get(segment.row.name);
    if (!bitmap) {
      bitmap = segment.deleted ? segment.deleted.slice() : bitmapFor(segment.reader.docCount);
      this.tombstones.set(segment.row.name, bitmap);
    }
    setDeleted(bitmap, doc);
  }

  /** Writes the batch as a segment file (not yet committed) and starts a new batch. */
  private flushBatch(): void {
    const batch = this.batch;
    const name = this.batchName;
    if (batch.docCount === 0) return;
    this.batch = new ForwardBatch();
    this.batchDocOfPid = new Map();
    this.batchName = this.newSegmentName();
    if (batch.liveDocCount === 0) return;
    const live = new Uint32Array(batch.liveDocCount);
    for (let doc = 0, i = 0; doc < batch.docCount; doc++) if (!batch.removed.has(doc)) live[i++] = doc;
    const order = reorderDocs(batch, live);
    const path = join(this.index.dir, segmentFileName(name));
    const settings = this.index.settings;
    const { meta, byteSize } = serializeSegment(batch, order, {
      name,
      path,
      blockSize: settings.blockSize,
      blocksPerPage: settings.blocksPerPage,
      vocabSize: settings.vocabSize,
      scale: this.index.scale,
    });
    const reader = SegmentReader.open(path, name, this.index.cache, byteSize);
    this.flushed.push({ name, path, reader, meta, byteSize, deleted: bitmapFor(meta.docCount) });
  }

  private insertSegmentRow(name: string, meta: SegmentMeta, byteSize: number, deleted: Uint8Array, generation: number): void {
    const deletedCount = countBits(deleted);
    this.statements.insertSegment.run(
      name,
      meta.docCount,
      meta.postingCount,
      byteSize,
      deletedCount,
      deletedCount > 0 ? deleted : null,
      generation,
      JSON.stringify(meta),
    );
  }

  /** Swaps a finished merge in (inside the commit transaction). False when it no longer applies. */
  private applyMerge(merge: CompletedMerge, generation: number): boolean {
    const inputs = merge.inputs.map((name) => this.snapshot.segments.find((segment) => segment.row.name === name));
    if (inputs.some((segment) => segment === undefined)) {
      this.dropCompletedMerge(merge);
      return false;
    }
    const output = merge.output;
    const outDeleted = output ? bitmapFor(output.meta.docCount) : undefined;
    const origins = new Set<string>();
    for (const segment of inputs as NonNullable<(typeof inputs)[number]>[]) {
      const name = segment.row.name;
      for (const origin of segment.origins) origins.add(origin);
      const now = this.tombstones.get(name) ?? segment.deleted;
      const before = merge.startDeleted.get(name) ?? null;
      if (now && output && outDeleted) {
        const { pids } = segment.reader.docs();
        for (let byte = 0; byte < now.length; byte++) {
          const fresh = now[byte]! & ~(before ? before[byte]! : 0);
          if (fresh === 0) continue;
          for (let bit = 0; bit < 8; bit++) {
            if ((fresh & (1 << bit)) === 0) continue;
            const doc = output.reader.docOfPassage(pids[byte * 8 + bit]!);
            if (doc >= 0) setDeleted(outDeleted, doc);
          }
        }
      }
      this.tombstones.delete(name);
      this.statements.deleteSegment.run(name);
      this.statements.deleteOrigins.run(name);
    }
    if (output && outDeleted) {
      this.insertSegmentRow(output.name, output.meta, output.byteSize, outDeleted, generation);
      for (const origin of origins) this.statements.insertOrigin.run(output.name, origin);
    } else {
      // Nothing live was left: the passages of these origins are all gone already.
    }
    return true;
  }

  private afterCommit(): void {
    for (const segment of this.flushed) segment.reader.release();
    this.flushed = [];
    this.tombstones.clear();
    for (const merge of this.completed) merge.output?.reader.release();
    this.completed = [];
    this.index.refreshAfterCommit();
    this.snapshot.release();
    this.snapshot = this.index.acquireSnapshot();
    this.folders = undefined;
    if (this.batch.docCount === 0) this.batchName = this.newSegmentName();
    failPoint('commit.gc');
    this.collectGarbage();
    if (this.autoMerge) this.maybeMerge();
  }

  /** Deletes segment files nothing references (the committed manifest, pending work and running merges aside). */
  private collectGarbage(): string[] {
    const committed = new Set(this.snapshot.segments.map((segment) => segment.row.name));
    const keep = new Set<string>([this.batchName, ...this.flushed.map((segment) => segment.name)]);
    for (const merge of this.running) keep.add(merge.outputName);
    for (const merge of this.completed) if (merge.output) keep.add(merge.output.name);
    return removeOrphans(this.index.dir, committed, keep);
  }

  private discardPending(): void {
    if (this.inTransaction) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        /* SQLite may have rolled back already (e.g. after an I/O error) */
      }
      this.inTransaction = false;
    }
    for (const segment of this.flushed) {
      segment.reader.release();
      rmSync(segment.path, { force: true });
    }
    this.flushed = [];
    this.batch = new ForwardBatch();
    this.batchDocOfPid = new Map();
    this.batchName = this.newSegmentName();
    this.tombstones.clear();
    this.folders = undefined;
  }

  private rollbackAfterFailure(): void {
    try {
      this.discardPending();
    } catch {
      /* keep the original error */
    }
  }

  private mergeInputs() {
    return this.snapshot.segments.map(({ row }) => ({ name: row.name, docCount: row.docCount, deletedCount: row.deletedCount }));
  }

  private startMerge(names: string[]): void {
    const segments = names.map((name) => this.snapshot.segments.find((segment) => segment.row.name === name)!);
    const outputName = this.newSegmentName();
    const outputPath = join(this.index.dir, segmentFileName(outputName));
    const settings = this.index.settings;
    const startDeleted = new Map<string, Uint8Array | null>();
    for (const segment of segments) startDeleted.set(segment.row.name, segment.deleted ? segment.deleted.slice() : null);
    const live = segments.reduce((n, segment) => n + segment.row.docCount - segment.row.deletedCount, 0);
    const merge: RunningMerge = { inputs: names, outputName, worker: undefined, done: Promise.resolve() };
    if (live === 0) {
      this.completed.push({ inputs: names, startDeleted, output: null });
      return;
    }
    const job: MergeJob = {
      inputs: segments.map((segment) => ({
        name: segment.row.name,
        path: segment.reader.path,
        byteSize: segment.row.byteSize,
        deleted: segment.deleted ?? null,
      })),
      output: { name: outputName, path: outputPath },
      blockSize: settings.blockSize,
      blocksPerPage: settings.blocksPerPage,
      vocabSize: settings.vocabSize,
      scale: this.index.scale,
    };
    // The inputs stay referenced (and their files undeleted) until the merge is applied or dropped.
    for (const segment of segments) segment.reader.retain();
    const worker = startWorker(new URL('./merge/merge-worker.js', import.meta.url), { workerData: job });
    merge.worker = worker;
    merge.done = new Promise<void>((resolve) => {
      let settled = false;
      const finish = (result: MergeWorkerResult) => {
        if (settled) return;
        settled = true;
        this.running.splice(this.running.indexOf(merge), 1);
        for (const segment of segments) segment.reader.release();
        if (this.closed) {
          rmSync(outputPath, { force: true });
        } else if (result.ok) {
          try {
            const reader = SegmentReader.open(outputPath, outputName, this.index.cache, result.byteSize);
            this.completed.push({ inputs: names, startDeleted, output: { name: outputName, path: outputPath, reader, meta: result.meta, byteSize: result.byteSize } });
          } catch (error) {
            this.mergeErrors.push(error as Error);
          }
        } else {
          rmSync(outputPath, { force: true });
          // A damaged input is left out of merges until a repair drops it; other failures (a full disk) may pass.
          if (result.segment && names.includes(result.segment)) this.mergeFailed.add(result.segment);
          this.mergeErrors.push(new IndexError(result.code === 'corrupt-index' ? 'corrupt-index' : 'commit-failed', `Merge of ${names.join(', ')} failed: ${result.message}`));
        }
        void worker.terminate();
        resolve();
        // Apply right away when nothing else is pending, then look for more work.
        if (!this.closed && !this.inTransaction) {
          try {
            if (this.completed.length > 0) this.commit();
            else if (this.autoMerge) this.maybeMerge();
          } catch (error) {
            this.mergeErrors.push(error as Error);
          }
        }
      };
      worker.once('message', (result: MergeWorkerResult) => finish(result));
      worker.once('error', (error) => finish({ ok: false, message: error.message }));
      worker.once('exit', (code) => finish({ ok: false, message: `merge worker exited with code ${code}` }));
    });
    this.running.push(merge);
  }

  private dropCompletedMerge(merge: CompletedMerge): void {
    if (!merge.output) return;
    merge.output.reader.release();
    rmSync(merge.output.path, { force: true });
  }

  private throwMergeErrors(): void {
    if (this.mergeErrors.length === 0) return;
    const [first] = this.mergeErrors;
    this.mergeErrors = [];
    throw first;
  }

  private loadFolders(): FolderInfo[] {
    if (!this.folders) {
      this.folders = (this.statements.folders.all() as { id: number; path: string; added_ms: number }[]).map((row) => ({
        id: row.id,
        path: row.path,
        addedMs: row.added_ms,
      }));
    }
    return this.folders;
  }

  /** The id of the deepest registered folder holding `path`, or null. */
  private folderOf(path: string): number | null {
    let best: FolderInfo | undefined;
    for (const folder of this.loadFolders()) {
      const base = folder.path.replace(/[\\/]+$/, '');
      const inside = path === base || path.startsWith(base + '/') || path.startsWith(base + '\\');
      if (inside && (!best || folder.path.length > best.path.length)) best = folder;
    }
    return best ? best.id : null;
  }

  private newSegmentName(): string {
    const generation = this.snapshot ? this.snapshot.generation + 1 : 1;
    return `seg-${Math.max(0, generation).toString(36)}-${randomBytes(4).toString('hex')}`;
  }

  private assertOpen(): void {
    if (this.closed) throw new IndexError('index-closed', `The writer of the index in ${this.index.dir} is closed`);
  }
}

function requirePath(path: unknown, what: string): asserts path is string {
  if (typeof path !== 'string' || path.length === 0) throw new IndexError('invalid-argument', `${what} must be a non-empty string, got ${String(path)}`);
}

function requireStatus(path: string, status: unknown): void {
  if (!FILE_STATUSES.includes(status as FileStatus)) {
    throw new IndexError('invalid-argument', `status of ${path} must be one of ${FILE_STATUSES.join(', ')}, got ${String(status)}`);
  }
}

/** Statuses whose reason (error, reason code) is kept when a change does not restate it. */
function keepsReason(status: FileStatus): boolean {
  return status === 'error' || status === 'skipped' || status === 'unavailable';
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

