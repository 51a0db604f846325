/**
 * IndexWriter: the one writer of an index. Changes (files, passages, folders) accumulate in an open SQLite write
 * transaction (catalog/catalog-writer.ts) plus staged postings (staged-changes.ts: an in-memory batch, flushed to
 * immutable segment files when large, and tombstones); `commit()` makes them visible atomically.
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
 * Merges (merge/merge-scheduler.ts) run in worker threads on committed, immutable segments and are swapped in by a
 * later commit, so they never block searches; deletes that happen meanwhile are carried over to the merged segment
 * at the swap (merge/tombstone-carry.ts).
 */
import { CatalogWriter, type FileRowInput } from './catalog/catalog-writer.js';
import { FILE_STATUSES, type FileInfo, type FileStatus, type FolderInfo } from './catalog/catalog.js';
import { dropSegments, findDamagedSegments, type RepairOptions, type RepairReport } from './index-repair.js';
import { IndexError } from './index-errors.js';
import { DEFAULT_MERGE_POLICY, type MergePolicyOptions } from './merge/merge-policy.js';
import { MergeScheduler, type CompletedMerge } from './merge/merge-scheduler.js';
import { carryOverTombstones } from './merge/tombstone-carry.js';
import { quantize } from './quantization.js';
import { countBits, type Snapshot } from './snapshot.js';
import { validateSparseVector, type SparseVector } from './sparse-vector.js';
import { StagedChanges } from './staged-changes.js';
import { syncDirectory } from './storage/directory.js';
import { failPoint } from './storage/fail-points.js';
import { catalogPath, removeOrphans } from './storage/index-files.js';
import type { WriterLock } from './storage/writer-lock.js';
import type { WriterHost } from './writer-host.js';

export interface WriterOptions {
  /** Write the in-memory batch to a segment file once it holds about this many bytes (default 192 MiB). */
  flushBytes?: number;
  /** Merge segments in worker threads after commits, as the merge policy says (default true). */
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

export class IndexWriter {
  private readonly catalog: CatalogWriter;
  private readonly staged: StagedChanges;
  private readonly merges: MergeScheduler;
  private snapshot: Snapshot;
  private folders: FolderInfo[] | undefined;
  private closed = false;
  private readonly flushBytes: number;
  private readonly autoMerge: boolean;
  private readonly keepVectors: boolean;
  private readonly impactScratch: Uint8Array;

  /** @internal use SparseIndex.openWriter() */
  constructor(
    private readonly host: WriterHost,
    private readonly lock: WriterLock,
    options: WriterOptions,
  ) {
    this.flushBytes = options.flushBytes ?? 192 * 1024 * 1024;
    this.autoMerge = options.autoMerge ?? true;
    this.keepVectors = options.keepVectors ?? false;
    const policy = { ...DEFAULT_MERGE_POLICY, ...(options.mergePolicy ?? {}) };
    this.catalog = CatalogWriter.open(catalogPath(host.dir));
    this.impactScratch = new Uint8Array(host.settings.vocabSize);
    this.snapshot = host.acquireSnapshot();
    this.staged = new StagedChanges(host, () => this.snapshot.generation);
    this.merges = new MergeScheduler(host, policy, () => this.afterMerge());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** True while there are changes not yet committed. */
  get hasUncommittedChanges(): boolean {
    return this.catalog.inTransaction;
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
      const id = this.catalog.insertFolder(path, addedMs);
      this.folders = undefined;
      // Files already known under it now belong to it (unless a deeper registered folder holds them).
      this.catalog.reassignFolders((filePath) => this.folderOf(filePath));
      return { id, path, addedMs };
    });
  }

  /** Unregisters a folder and deletes the files (and passages) it holds. Returns the number of files removed. */
  removeFolder(path: string): number {
    this.assertOpen();
    const folder = this.loadFolders().find((candidate) => candidate.path === path);
    if (!folder) return 0;
    return this.mutate(() => {
      const fileIds = this.catalog.fileIdsOfFolder(folder.id);
      for (const fileId of fileIds) {
        this.removePassagesOfFile(fileId);
        this.catalog.deleteFile(fileId);
      }
      this.catalog.deleteFolder(folder.id);
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
    const vocab = this.host.settings.vocabSize;
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
      const scale = this.host.scale;
      const codes = this.impactScratch;
      const passageIds: number[] = [];
      for (let i = 0; i < passages.length; i++) {
        const passage = passages[i]!;
        const pid = this.catalog.insertPassage({
          fileId,
          ordinal: passage.ordinal ?? i,
          charStart: passage.charStart,
          charEnd: passage.charEnd,
          page: passage.page ?? null,
          line: passage.line ?? null,
          text: passage.text ?? null,
          origin: this.staged.batchName,
          vector: this.keepVectors ? passage.vector : null,
        });
        if (pid > 0xffffffff) throw new IndexError('invalid-argument', `passage id ${pid} exceeds the segment format's 32 bits`);
        const { indices, values } = passage.vector;
        for (let j = 0; j < values.length; j++) codes[j] = quantize(values[j]!, scale);
        this.staged.add(pid, fileId, indices, codes, indices.length);
        passageIds.push(pid);
      }
      if (this.staged.batchBytes >= this.flushBytes) this.staged.flush();
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
      const existing = this.catalog.fileRow(file.path);
      const status = file.status ?? (existing ? existing.status : 'pending');
      const id = this.writeFileRow(file, status, existing ? existing.passage_count : 0, false);
      return this.catalog.file(id);
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
    if (file.status !== undefined) requireStatus(file.path, file.status);
    const existing = this.catalog.fileRow(from);
    if (!existing) return false;
    if (from === file.path) return true;
    if (this.catalog.fileRow(file.path)) throw new IndexError('invalid-argument', `cannot rename ${from} to ${file.path}: that path is already in the index`);
    return this.mutate(() => {
      this.catalog.renameFile(existing.id, file.path);
      this.writeFileRow(file, file.status ?? existing.status, existing.passage_count, false);
      return true;
    });
  }

  /** Deletes a file and its passages. Returns false when the index does not know the path. */
  deleteFile(path: string): boolean {
    this.assertOpen();
    requirePath(path, 'file path');
    const existing = this.catalog.fileRow(path);
    if (!existing) return false;
    return this.mutate(() => {
      this.removePassagesOfFile(existing.id);
      this.catalog.deleteFile(existing.id);
      return true;
    });
  }

  // ---------------------------------------------------------------- commit

  /**
   * Makes every change since the last commit visible and durable, atomically. `payload` (any JSON value) is stored
   * with the commit (e.g. an ingest checkpoint); without it the previous payload is kept. Finished merges are
   * swapped in by the same commit.
   */
  commit(payload?: unknown): CommitInfo {
    this.assertOpen();
    if (!this.catalog.inTransaction && this.merges.completed.length === 0 && payload === undefined) {
      return { generation: this.snapshot.generation, changed: false, segmentsAdded: [], segmentsRemoved: [] };
    }
    const added: string[] = [];
    const removed: string[] = [];
    let generation: number;
    try {
      this.staged.flush();
      failPoint('commit.before-dir-sync');
      syncDirectory(this.host.dir);
      this.catalog.begin();
      generation = this.catalog.committedGeneration() + 1;
      for (const segment of this.staged.flushed) {
        this.catalog.insertSegment(segment.meta, segment.byteSize, segment.deleted, countBits(segment.deleted), generation);
        this.catalog.addOrigin(segment.name, segment.name);
        added.push(segment.name);
      }
      for (const merge of this.merges.completed) {
        if (this.applyMerge(merge, generation)) {
          removed.push(...merge.inputs);
          if (merge.output) added.push(merge.output.name);
        }
      }
      for (const [name, bitmap] of this.staged.tombstones) this.catalog.setTombstones(name, bitmap, countBits(bitmap));
      this.catalog.setGeneration(generation);
      if (payload !== undefined) this.catalog.setPayload(payload);
      failPoint('commit.before-sqlite-commit');
      this.catalog.commit();
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

  /**
   * Starts the merges the policy asks for, in worker threads (one of small segments and one of large ones at a
   * time). Returns how many were started.
   */
  maybeMerge(): number {
    this.assertOpen();
    return this.merges.maybeMerge(this.snapshot);
  }

  /**
   * Waits until no merge runs and every finished one is committed, including the merges each of those commits
   * starts in turn, unless uncommitted changes are pending (then the next commit carries the finished merges).
   * When it resolves, nothing merges in the background, so a `close()` right after loses no merge. Rejects with
   * the first error of a failed merge since the last call (a failed merge changes nothing: its inputs stay as they
   * were, and commits are not affected).
   */
  async waitForMerges(): Promise<void> {
    for (;;) {
      await this.merges.idle();
      this.merges.throwErrors();
      if (this.closed || this.merges.completed.length === 0 || this.catalog.inTransaction) return;
      // This commit may start the next merge (or finish one with no live doc at once): go round again.
      this.commit();
    }
  }

  /** Merges until at most `maxSegments` segments remain and none has tombstones (like a force-merge). */
  async forceMerge(maxSegments = 1): Promise<void> {
    this.assertOpen();
    if (this.catalog.inTransaction) throw new IndexError('invalid-argument', 'forceMerge needs a committed state: commit or roll back first');
    for (;;) {
      await this.waitForMerges();
      const groups = this.merges.forcedGroups(this.snapshot, maxSegments);
      if (groups.length === 0) return;
      for (const group of groups) {
        this.merges.start(this.snapshot, group);
        await this.waitForMerges();
      }
    }
  }

  // ---------------------------------------------------------------- repair

  /** @internal see SparseIndex.repair: drops the damaged segments (index-repair.ts) in one commit. */
  repair(options: RepairOptions): RepairReport {
    this.assertOpen();
    if (this.catalog.inTransaction) throw new IndexError('invalid-argument', 'repair needs a committed state: commit or roll back first');
    const manifest = this.catalog.queries.manifest();
    const bad = findDamagedSegments(this.host, manifest, options);
    if (bad.length === 0) return { droppedSegments: [], files: [], generation: manifest.generation };
    let files: string[];
    let generation: number;
    this.catalog.begin();
    try {
      generation = this.catalog.committedGeneration() + 1;
      files = dropSegments(
        this.catalog,
        manifest,
        bad.map((segment) => segment.name),
      );
      this.catalog.setGeneration(generation);
      this.catalog.commit();
    } catch (error) {
      this.rollbackAfterFailure();
      throw error;
    }
    this.afterCommit();
    return { droppedSegments: bad, files, generation };
  }

  /** Rolls back uncommitted changes, stops running merges, releases the lock. */
  close(): void {
    if (this.closed) return;
    try {
      this.discardPending();
      this.merges.stop();
      this.snapshot.release();
    } finally {
      this.closed = true;
      this.catalog.close();
      this.lock.release();
    }
  }

  // ---------------------------------------------------------------- internals

  /**
   * Runs one change inside the write transaction. If it fails half-way, every uncommitted change is discarded (the
   * index stays at its last commit), so no half-applied change can be committed later.
   */
  private mutate<T>(change: () => T): T {
    this.catalog.begin();
    try {
      return change();
    } catch (error) {
      this.rollbackAfterFailure();
      throw error;
    }
  }

  private writeFileRow(file: FileInput, status: FileStatus, passageCount: number, replacePassages: boolean): number {
    requireStatus(file.path, status);
    const existing = this.catalog.fileRow(file.path);
    const row: FileRowInput = {
      folderId: this.folderOf(file.path),
      path: file.path,
      size: file.size !== undefined ? file.size : (existing?.size ?? null),
      mtimeMs: file.mtimeMs !== undefined ? file.mtimeMs : (existing?.mtime_ms ?? null),
      contentHash: file.contentHash !== undefined ? file.contentHash : (existing?.content_hash ?? null),
      status,
      error: file.error !== undefined ? file.error : keepsReason(status) && existing ? existing.error : null,
      reasonCode: file.reasonCode !== undefined ? file.reasonCode : keepsReason(status) && existing ? (existing.reason_code ?? null) : null,
      passageCount,
      updatedMs: Date.now(),
    };
    if (existing) {
      if (replacePassages) this.removePassagesOfFile(existing.id);
      this.catalog.updateFile(existing.id, row);
      return existing.id;
    }
    return this.catalog.insertFile(row);
  }

  private removePassagesOfFile(fileId: number): void {
    for (const [pid, origin] of this.catalog.passageOriginsOfFile(fileId)) this.staged.tombstone(pid, origin, this.snapshot);
    this.catalog.deletePassagesOfFile(fileId);
  }

  /** Swaps a finished merge in (inside the commit transaction). False when it no longer applies. */
  private applyMerge(merge: CompletedMerge, generation: number): boolean {
    const inputs = merge.inputs.map((name) => this.snapshot.segments.find((segment) => segment.row.name === name));
    if (inputs.some((segment) => segment === undefined)) {
      this.merges.drop(merge);
      return false;
    }
    const segments = inputs as NonNullable<(typeof inputs)[number]>[];
    const origins = new Set<string>();
    for (const segment of segments) for (const origin of segment.origins) origins.add(origin);
    const output = merge.output;
    if (output) {
      const deleted = carryOverTombstones(
        segments.map((segment) => ({
          pids: segment.reader.docs().pids,
          before: merge.startDeleted.get(segment.row.name) ?? null,
          now: this.staged.stagedTombstones(segment.row.name) ?? segment.deleted,
        })),
        output.meta.docCount,
        (pid) => output.reader.docOfPassage(pid),
      );
      this.catalog.insertSegment(output.meta, output.byteSize, deleted, countBits(deleted), generation);
    }
    for (const segment of segments) {
      this.staged.forgetTombstones(segment.row.name);
      this.catalog.deleteSegment(segment.row.name);
    }
    // Without an output nothing live was left: the passages of these origins are all gone already.
    if (output) for (const origin of origins) this.catalog.addOrigin(output.name, origin);
    return true;
  }

  private afterCommit(): void {
    this.merges.committed();
    this.host.refreshAfterCommit();
    this.snapshot.release();
    this.snapshot = this.host.acquireSnapshot();
    this.staged.committed();
    this.folders = undefined;
    failPoint('commit.gc');
    this.collectGarbage();
    if (this.autoMerge) this.merges.maybeMerge(this.snapshot);
  }

  /** After a merge ran: commit it right away when nothing else is pending, else look for more work. */
  private afterMerge(): void {
    if (this.closed || this.catalog.inTransaction) return;
    try {
      if (this.merges.completed.length > 0) this.commit();
      else if (this.autoMerge) this.merges.maybeMerge(this.snapshot);
    } catch (error) {
      this.merges.recordError(error as Error);
    }
  }

  /** Deletes segment files nothing references (the committed manifest, pending work and merges in flight aside). */
  private collectGarbage(): string[] {
    const committed = new Set(this.snapshot.segments.map((segment) => segment.row.name));
    const keep = new Set<string>([...this.staged.pendingNames(), ...this.merges.outputsInFlight()]);
    return removeOrphans(this.host.dir, committed, keep);
  }

  private discardPending(): void {
    this.catalog.rollback();
    this.staged.discard();
    this.folders = undefined;
  }

  private rollbackAfterFailure(): void {
    try {
      this.discardPending();
    } catch {
      /* keep the original error */
    }
  }

  private loadFolders(): FolderInfo[] {
    this.folders ??= this.catalog.folders();
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

  private assertOpen(): void {
    if (this.closed) throw new IndexError('index-closed', `The writer of the index in ${this.host.dir} is closed`);
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
