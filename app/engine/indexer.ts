/**
 * The indexer: keeps the index in sync with the watched folders. It owns the writer's side of ingest:
 *
 * - Reconciling: a scan (at start, when a folder is added or comes back) or a batch of watch events is compared with
 *   the catalog by size and mtime: new and changed files become `pending`, files gone are deleted, and a new file
 *   whose content hash equals a gone file's is re-pointed (`renameFile`), not re-encoded. A folder that cannot be
 *   read marks its files `unavailable` (passages kept) instead of deleting them.
 * - The queue: `pending` rows of the catalog are the durable job queue. A job extracts and splits the file, encodes
 *   its passages and replaces the file's passages with the status `indexed` in one commit, so a crash at any point
 *   leaves the job pending (redone on restart, replacing whatever was there: nothing is indexed twice).
 * - Pipelining: files are extracted a few at a time while the previous chunk of passages is being encoded, and at
 *   most one chunk waits for the encoder (backpressure), so the encoder stays busy without unbounded memory.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SparseEncoder } from '../encoder/index.js';
import type { FileInfo, IndexWriter, PassageInput, SparseIndex } from '../index/index.js';
import type { EngineState } from './engine-state.js';
import type { Progress, Settings } from './engine-types.js';
import type { ExtractResult, FolderWatch, IngestPort, PassageDraft, ScanEntry, WatchChanges, WatchStatus } from './ingest-port.js';

export interface IndexerDeps {
  index: SparseIndex;
  writer: IndexWriter;
  port: IngestPort;
  /** The loaded encoder (waits for the model). */
  encoder: () => Promise<SparseEncoder>;
  settings: () => Settings;
  state: EngineState;
  /** The commit payload (records what the index was built with). */
  payload: () => unknown;
  onProgress: (change: Partial<Progress>) => void;
  onFolders: () => void;
}

/** Passages per encoder call: large enough for full batches, small enough to commit often. */
const CHUNK_PASSAGES = 256;
/** Files per commit at most (many small files still commit, and show progress, regularly). */
const CHUNK_FILES = 32;
/** Files extracted concurrently ahead of the encoder. */
const EXTRACT_AHEAD = 4;
const RATE_WINDOW_MS = 10_000;
/** How long a removed file waits for a matching addition (a move) before it is deleted. */
const GONE_HOLD_MS = 1500;

interface Job {
  file: FileInfo;
  /** 'unchanged': touched but the same content (hash) as indexed: nothing to encode. */
  result: ExtractResult | { ok: 'unchanged'; size: number | null; mtimeMs: number | null };
}

export class Indexer {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  /** Watcher batches not yet applied, with their folder. */
  private readonly changes: Array<{ folder: string; changes: WatchChanges }> = [];
  /**
   * Files a watcher reported gone, kept (searchable) for a moment before they are deleted: a move across watched
   * folders arrives as a removal from one watcher and an addition from another, possibly in that order, and the
   * addition must find the removed entry to re-point it.
   */
  private readonly heldGone = new Map<string, { file: FileInfo; until: number }>();
  private holdTimer: NodeJS.Timeout | undefined;
  private readonly rescans = new Set<string>();
  private readonly inFlight = new Set<string>();
  private readonly watches = new Map<string, FolderWatch>();
  private idleWaiters: Array<() => void> = [];
  private busy = false;
  /** Work was done since the queue last went idle (the idle transition then sends the final folder counts). */
  private workedSinceIdle = false;
  private counts = { done: 0, indexed: 0, skipped: 0, failed: 0 };
  private passagesDone = 0;
  private readonly rate: Array<{ at: number; passages: number }> = [];
  private fatal: Error | undefined;

  constructor(private readonly deps: IndexerDeps) {}

  /** Starts the queue loop; with `watch`, every watched folder gets a watcher. Scans each folder first. */
  start(options: { watch: boolean }): void {
    if (this.loop) return;
    for (const folder of this.deps.index.listFolders()) this.rescans.add(folder.path);
    this.watchEnabled = options.watch;
    this.loop = this.run();
  }

  private watchEnabled = false;

  /** A folder was added or resumed: scan it (and watch it when watching). */
  scheduleScan(folder: string): void {
    this.rescans.add(folder);
    this.wake();
  }

  /** Stops watching a folder (removed or paused). */
  async unwatch(folder: string): Promise<void> {
    const watch = this.watches.get(folder);
    this.watches.delete(folder);
    this.deps.state.setWatch(folder, { watching: 'off', warning: null });
    await watch?.close();
  }

  wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }

  /** Resolves when no scan, event or job is waiting (rejects with the loop's fatal error, if any). */
  whenIdle(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (!this.busy && this.rescans.size === 0 && this.changes.length === 0 && this.heldGone.size === 0 && !this.hasPendingWork()) return Promise.resolve();
    return new Promise((resolve, reject) => this.idleWaiters.push(() => (this.fatal ? reject(this.fatal) : resolve())));
  }

  /** Counts of this run (since start), for the CLI summary. */
  get totals(): { done: number; indexed: number; skipped: number; failed: number } {
    return { ...this.counts };
  }

  /** Stops after the job in hand (committed), closes the watchers. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.holdTimer);
    this.wake();
    await this.loop;
    await Promise.all([...this.watches.keys()].map((folder) => this.unwatch(folder)));
  }

  // ------------------------------------------------------------------ the loop

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.busy = true;
      try {
        if (await this.step()) continue;
      } catch (error) {
        // E.g. the model cannot be loaded: say so, fail the waiters, and retry when woken (a download finished).
        this.fatal = error as Error;
        this.deps.onProgress({ phase: 'error', message: (error as Error).message, currentFile: null });
        this.busy = false;
        this.resolveIdle();
        await new Promise<void>((resolve) => (this.wakeUp = resolve));
        this.fatal = undefined;
        continue;
      }
      this.busy = false;
      if (this.changes.length === 0 && this.heldGone.size === 0) this.resolveIdle();
      await new Promise<void>((resolve) => (this.wakeUp = resolve));
    }
    this.busy = false;
    this.resolveIdle();
  }

  /** Does the next piece of work; false when there is none (the loop then sleeps until woken). */
  private async step(): Promise<boolean> {
    if (this.rescans.size > 0) {
      const [folder] = this.rescans;
      this.rescans.delete(folder!);
      await this.syncFolder(folder!);
      this.workedSinceIdle = true;
      return true;
    }
    if (this.changes.length > 0 || [...this.heldGone.values()].some((held) => held.until <= Date.now())) {
      await this.reconcileChanges();
      this.workedSinceIdle = true;
      return true;
    }
    if (this.deps.state.indexingPaused) {
      this.deps.onProgress({ phase: 'paused', queued: this.queuedCount() });
      return false;
    }
    const jobs = this.nextJobs();
    if (jobs.length > 0) {
      await this.process(jobs);
      this.workedSinceIdle = true;
      return true;
    }
    this.deps.onProgress({ phase: 'idle', queued: 0, currentFile: null, etaSeconds: null, passagesPerSecond: 0, message: null });
    // Once per pass that did work: the final counts, so that a view needs no refetch when indexing ends.
    if (this.workedSinceIdle) {
      this.workedSinceIdle = false;
      this.deps.onFolders();
    }
    return false;
  }

  private resolveIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private hasPendingWork(): boolean {
    return !this.deps.state.indexingPaused && this.nextJobs(1).length > 0;
  }

  private queuedCount(): number {
    return this.deps.index.listFiles({ status: 'pending' }).length;
  }

  /** Pending files not in a paused folder, oldest change first. */
  private nextJobs(limit = 64): FileInfo[] {
    this.deps.index.refresh();
    const paused = this.deps.index.listFolders().filter((folder) => this.deps.state.isPaused(folder.path)).map((folder) => folder.id);
    const out: FileInfo[] = [];
    for (const file of this.deps.index.listFiles({ status: 'pending' })) {
      if (file.folderId !== null && paused.includes(file.folderId)) continue;
      if (this.inFlight.has(file.path)) continue;
      out.push(file);
      if (out.length >= limit) break;
    }
    return out;
  }

  // ------------------------------------------------------------------ scanning and reconciling

  private async syncFolder(folder: string): Promise<void> {
    const { index, writer, port, state } = this.deps;
    index.refresh();
    if (!index.listFolders().some((known) => known.path === folder) || state.isPaused(folder)) return;
    this.deps.onProgress({ phase: 'scanning', currentFile: folder });
    const settings = this.deps.settings();
    const entries: ScanEntry[] = [];
    try {
      for await (const entry of port.scan(folder, { ignorePatterns: settings.ignorePatterns, maxFileBytes: settings.maxFileBytes })) {
        if (this.stopped) return;
        entries.push(entry);
      }
    } catch (error) {
      // The folder vanished or cannot be read: keep its files, marked unavailable, until it returns or is removed.
      const files = index.listFiles({ folder }).filter((file) => file.status !== 'unavailable');
      for (const file of files) writer.markFile({ path: file.path, status: 'unavailable', error: `${folder} is not available (${(error as Error).message})`, reasonCode: 'folder-unavailable' });
      writer.commit(this.deps.payload());
      this.deps.onFolders();
      return;
    }
    const unreadable = entries.filter((entry) => entry.unreadableDirectory).map((entry) => entry.path);
    const files = entries.filter((entry) => !entry.unreadableDirectory);
    const seen = new Set(files.map((entry) => entry.path));
    const gone = index
      .listFiles({ folder })
      .filter((file) => !seen.has(file.path) && !this.inPausedFolder(file.path, folder) && !unreadable.some((dir) => isUnder(file.path, dir)));
    await this.reconcile(files, gone);
    if (this.watchEnabled && !this.watches.has(folder)) await this.startWatch(folder);
    this.deps.onFolders();
  }

  private inPausedFolder(path: string, except: string): boolean {
    return this.deps.index.listFolders().some((folder) => folder.path !== except && this.deps.state.isPaused(folder.path) && isUnder(path, folder.path));
  }

  /** Applies what was found (`present`) and what is gone to the catalog, pairing renames by content hash; one commit. */
  /**
   * `gone` files are deleted unless a present file takes them over; `held` files (reported gone a moment ago) may be
   * taken over but are not deleted here. Returns the paths that were taken over (renamed).
   */
  private async reconcile(present: ScanEntry[], gone: FileInfo[], held: FileInfo[] = []): Promise<Set<string>> {
    const { index, writer, port } = this.deps;
    // Renames and moves: a new path whose content equals a gone file's takes over its entry (and passages). The
    // hashes are read first, so that the writes below run in one synchronous stretch: an API call (a folder removed)
    // cannot commit in the middle of them.
    // Candidates: the files gone in this batch, and indexed files whose path no longer exists (a watcher may report a
    // rename's addition and removal in two batches).
    const goneBySize = new Map<number, FileInfo[]>();
    const candidate = (file: FileInfo) => {
      if (file.contentHash === null || file.size === null || file.status !== 'indexed') return;
      const list = goneBySize.get(file.size) ?? [];
      if (!list.some((other) => other.path === file.path)) list.push(file);
      goneBySize.set(file.size, list);
    };
    for (const file of [...gone, ...held]) candidate(file);
    const newcomers = present.filter((entry) => !entry.skip && !index.getFile(entry.path));
    if (newcomers.length > 0) {
      const sizes = new Set(newcomers.map((entry) => entry.size));
      for (const file of index.listFiles({ status: 'indexed' })) {
        if (file.size !== null && sizes.has(file.size) && !(await exists(file.path))) candidate(file);
      }
    }
    const hashes = new Map<string, string>();
    for (const entry of present) {
      if (entry.skip || !goneBySize.has(entry.size) || index.getFile(entry.path)) continue;
      const hash = await port.hash(entry.path).catch(() => null);
      if (hash !== null) hashes.set(entry.path, hash);
    }
    index.refresh();
    const folders = index.listFolders().map((folder) => folder.path);
    const registered = (path: string) => folders.some((folder) => isUnder(path, folder));
    const renamed = new Set<string>();
    for (const entry of present) {
      // Its folder was removed meanwhile: nothing of it comes back.
      if (!registered(entry.path)) continue;
      const file = index.getFile(entry.path);
      if (entry.skip) {
        const status = entry.skip.failed ? ('error' as const) : ('skipped' as const);
        if (file?.status === status && file.reasonCode === entry.skip.code) continue;
        const row = { path: entry.path, size: entry.size, mtimeMs: entry.mtimeMs, status, error: entry.skip.reason, reasonCode: entry.skip.code };
        // A file that became skipped (ignored now, or grown past the cap) leaves the index.
        if (file && file.passageCount > 0) writer.upsertFile(row, []);
        else writer.markFile(row);
        continue;
      }
      if (!file) {
        const hash = hashes.get(entry.path);
        const match = hash === undefined ? undefined : goneBySize.get(entry.size)?.find((old) => !renamed.has(old.path) && old.contentHash === hash);
        if (match) {
          renamed.add(match.path);
          writer.renameFile(match.path, { path: entry.path, size: entry.size, mtimeMs: entry.mtimeMs });
        } else {
          writer.markFile({ path: entry.path, size: entry.size, mtimeMs: entry.mtimeMs, status: 'pending', error: null, reasonCode: null });
        }
      } else if (file.status === 'unavailable') {
        const same = file.size === entry.size && file.mtimeMs === entry.mtimeMs && file.contentHash !== null;
        writer.markFile({ path: entry.path, status: same ? 'indexed' : 'pending', error: null, reasonCode: null });
      } else if (file.size !== entry.size || file.mtimeMs !== entry.mtimeMs || file.status === 'skipped') {
        writer.markFile({ path: entry.path, status: 'pending', error: null, reasonCode: null });
      }
    }
    for (const file of gone) if (!renamed.has(file.path)) writer.deleteFile(file.path);
    writer.commit(this.deps.payload());
    return renamed;
  }

  private async startWatch(folder: string): Promise<void> {
    const settings = this.deps.settings();
    const show = (status: WatchStatus) => this.deps.state.setWatch(folder, { watching: status.watching, warning: status.warning });
    try {
      const watch = await this.deps.port.watch(folder, {
        ignorePatterns: settings.ignorePatterns,
        maxFileBytes: settings.maxFileBytes,
        onChanges: (changes) => {
          this.changes.push({ folder, changes });
          this.wake();
        },
        onStatus: (status) => {
          show(status);
          // The folder went away: a scan marks its files unavailable (and one at its return brings them back).
          if (!status.available) {
            this.rescans.add(folder);
            this.wake();
          }
          this.deps.onFolders();
        },
      });
      if (this.stopped) {
        await watch.close();
        return;
      }
      this.watches.set(folder, watch);
      show(watch.status);
    } catch (error) {
      this.deps.state.setWatch(folder, { watching: 'off', warning: `cannot watch ${folder}: ${(error as Error).message}` });
    }
  }

  /** Applies the watchers' batches in one reconcile (so a rename across two folders pairs up). */
  private async reconcileChanges(): Promise<void> {
    const batches = this.changes.splice(0);
    const { index } = this.deps;
    index.refresh();
    const present = new Map<string, ScanEntry>();
    const gone = new Map<string, FileInfo>();
    for (const { folder, changes } of batches) {
      if (!index.listFolders().some((known) => known.path === folder) || this.deps.state.isPaused(folder)) continue;
      // The watched folder itself is gone (drive unmounted, folder deleted): its files become unavailable, not deleted.
      if (!(await isFolder(folder)) || changes.rescan) {
        this.rescans.add(folder);
        continue;
      }
      for (const entry of changes.present) {
        present.set(entry.path, entry);
        gone.delete(entry.path);
      }
      for (const path of changes.gone) {
        const file = index.getFile(path);
        if (file && !present.has(path)) gone.set(path, file);
      }
      for (const dir of changes.goneDirs) for (const file of index.listFiles({ folder: dir })) if (!present.has(file.path)) gone.set(file.path, file);
    }
    const now = Date.now();
    for (const [path, file] of gone) if (!this.heldGone.has(path)) this.heldGone.set(path, { file, until: now + GONE_HOLD_MS });
    for (const path of present.keys()) this.heldGone.delete(path);
    const expired = [...this.heldGone.values()].filter((held) => held.until <= now).map((held) => held.file);
    for (const file of expired) this.heldGone.delete(file.path);
    const renamed = await this.reconcile([...present.values()], expired, [...this.heldGone.values()].map((held) => held.file));
    for (const path of renamed) this.heldGone.delete(path);
    clearTimeout(this.holdTimer);
    if (this.heldGone.size > 0) {
      const next = Math.min(...[...this.heldGone.values()].map((held) => held.until));
      this.holdTimer = setTimeout(() => this.wake(), Math.max(10, next - Date.now()));
    }
    this.deps.onFolders();
  }

  // ------------------------------------------------------------------ jobs

  private async process(files: FileInfo[]): Promise<void> {
    const { port } = this.deps;
    const settings = this.deps.settings();
    const encoder = await this.deps.encoder();
    this.deps.onProgress({ phase: 'indexing', queued: this.queuedCount() });
    for (const file of files) this.inFlight.add(file.path);
    const extract = async (file: FileInfo): Promise<Job> => {
      if (file.contentHash !== null && file.passageCount > 0) {
        const hash = await port.hash(file.path).catch(() => null);
        if (hash === file.contentHash) {
          const info = await statOf(file.path);
          return { file, result: { ok: 'unchanged', size: info.size ?? null, mtimeMs: info.mtimeMs ?? null } };
        }
      }
      return port
        .extract(file.path, { maxFileBytes: settings.maxFileBytes, passageTokens: settings.passageTokens, passageOverlap: settings.passageOverlap, tokenizerFolder: encoder.model.tokenizerFolder, modelMaxTokens: encoder.model.maxSeqLength })
        .catch((error: unknown): ExtractResult => ({ ok: false, skipped: false, code: 'extract-failed', reason: (error as Error).message }))
        .then((result) => ({ file, result }));
    };
    try {
      const ahead: Promise<Job>[] = files.slice(0, EXTRACT_AHEAD).map(extract);
      let next = ahead.length;
      let encoding: Promise<void> = Promise.resolve();
      let chunk: Job[] = [];
      let chunkPassages = 0;
      while (ahead.length > 0 && !this.stopped) {
        const job = await ahead.shift()!;
        if (next < files.length) ahead.push(extract(files[next++]!));
        this.deps.onProgress({ currentFile: job.file.path });
        chunk.push(job);
        if (job.result.ok === true) chunkPassages += job.result.passages.length;
        if (chunkPassages >= CHUNK_PASSAGES || chunk.length >= CHUNK_FILES) {
          // Backpressure: one chunk encodes while the next one is gathered; no more.
          await encoding;
          encoding = this.encodeAndCommit(encoder, chunk);
          chunk = [];
          chunkPassages = 0;
        }
      }
      await encoding;
      if (chunk.length > 0) await this.encodeAndCommit(encoder, chunk);
      await Promise.allSettled(ahead);
    } finally {
      for (const file of files) this.inFlight.delete(file.path);
    }
  }

  /** Encodes a chunk's passages and writes each file (passages + status) in one commit. */
  private async encodeAndCommit(encoder: SparseEncoder, jobs: Job[]): Promise<void> {
    const { index, writer } = this.deps;
    const texts: string[] = [];
    for (const job of jobs) if (job.result.ok === true) for (const passage of job.result.passages) texts.push(passage.text);
    const vectors = texts.length > 0 ? await encoder.encodeDocument(texts) : [];
    index.refresh();
    let v = 0;
    let passages = 0;
    for (const { file, result } of jobs) {
      const current = index.getFile(file.path);
      const count = result.ok === true ? result.passages.length : 0;
      const own = vectors.slice(v, v + count);
      v += count;
      // Deleted, or its folder removed, while it was being extracted: nothing to write.
      if (!current || current.status !== 'pending') continue;
      if (result.ok === 'unchanged') {
        writer.markFile({ path: file.path, size: result.size, mtimeMs: result.mtimeMs, status: 'indexed', error: null, reasonCode: null });
        this.counts.indexed++;
      } else if (result.ok) {
        writer.upsertFile(
          { path: file.path, contentHash: result.contentHash, size: result.size, mtimeMs: result.mtimeMs, status: 'indexed', error: null, reasonCode: null },
          result.passages.map((passage, i): PassageInput => toPassageInput(passage, own[i]!, i)),
        );
        passages += count;
        this.counts.indexed++;
      } else {
        const row = { path: file.path, status: result.skipped ? ('skipped' as const) : ('error' as const), error: result.reason, reasonCode: result.code };
        if (current.passageCount > 0) writer.upsertFile(row, []);
        else writer.markFile(row);
        if (result.skipped) this.counts.skipped++;
        else this.counts.failed++;
      }
      this.counts.done++;
    }
    writer.commit(this.deps.payload());
    // Files changed status: per-folder counts changed (the engine coalesces these events).
    this.deps.onFolders();
    const now = Date.now();
    this.rate.push({ at: now, passages });
    while (this.rate.length > 1 && this.rate[0]!.at < now - RATE_WINDOW_MS) this.rate.shift();
    const span = (now - this.rate[0]!.at) / 1000;
    const total = this.rate.reduce((sum, sample) => sum + sample.passages, 0);
    const perSecond = span > 0.5 ? total / span : 0;
    const queued = this.queuedCount();
    this.passagesDone += passages;
    // Files still queued are assumed to be like the ones done so far.
    const perFile = this.counts.indexed > 0 ? this.passagesDone / this.counts.indexed : 0;
    this.deps.onProgress({
      phase: 'indexing',
      queued,
      ...this.counts,
      passagesPerSecond: perSecond,
      etaSeconds: perSecond > 0 && perFile > 0 ? (queued * perFile) / perSecond : null,
    });
  }
}

async function statOf(path: string): Promise<{ size?: number; mtimeMs?: number }> {
  try {
    const info = await stat(path);
    return { size: info.size, mtimeMs: Math.floor(info.mtimeMs) };
  } catch {
    return {};
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function toPassageInput(passage: PassageDraft, vector: PassageInput['vector'], ordinal: number): PassageInput {
  return { vector, charStart: passage.start, charEnd: passage.end, ordinal, page: passage.page, line: passage.line, text: passage.text };
}

function isUnder(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith('/') || folder.endsWith('\\') ? folder : folder + '/') || path.startsWith(folder + '\\');
}
