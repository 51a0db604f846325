/**
 * The Engine: the one object every front end drives (CLI, serve mode, Electron). It composes the settings file, the
 * encoder (loaded in the background), the index and the indexer over one data folder.
 *
 * ```ts
 * const engine = await Engine.open({ dataDir: '/tmp/data' });     // writer, or reader when another process writes
 * await engine.addFolder({ path: '/home/me/notes' });              // scanned and indexed in the background
 * const off = engine.on('progress', (p) => console.log(p.phase, p.done, p.queued));
 * await engine.whenIdle();                                         // the queue is empty
 * const { hits } = await engine.search({ query: 'how do stars form? ext:md', k: 5 });
 * hits[0].score; hits[0].file.path; hits[0].passage.start; hits[0].terms[0].contribution;
 * off(); await engine.close();
 * ```
 *
 * Guarantees:
 * - Every method of the API contract whose host is 'engine' is here with that name and `(params) => Promise<result>`;
 *   parameters are validated with the contract's schema (EngineError 'invalid-request' naming the field).
 * - Scores are the model's float dot products (candidates from the index's 8-bit impacts, rescored with the kept
 *   full-precision vectors); terms' contributions sum to the score.
 * - One writer per data folder (the index's lock): a second Engine opens as 'reader' — search and listings work,
 *   mutations answer EngineError 'read-only' naming the writer. Readers see the writer's commits (refresh per call).
 * - The writer indexes (`indexing`: 'watch' by default, 'sync', 'off'): folders are scanned at start (changes made
 *   while nothing ran are found by size, mtime and content hash), then watched; renames and moves are re-pointed, not
 *   re-encoded; a vanished folder's files become `unavailable`. `pending` catalog rows are the durable job queue:
 *   after a crash, work resumes and nothing is indexed twice.
 * - A new model or passage size (settings, `--model`) makes the index stale: it is rebuilt in `index-next/` in the
 *   background and swapped in; until then the old index answers (`stale: true`).
 * Beyond the contract: `whenIdle()`, `whenRebuilt()`, `indexingTotals`, `role`, `dataDir`, `modelReference`.
 */
import { existsSync, readFileSync, renameSync, rmSync, statSync, accessSync, constants as fsConstants } from 'node:fs';
import { join, resolve, basename } from 'node:path';
import { z } from 'zod';
import { methods, type EventName, type MethodName, type ParamsOf, type PayloadOf } from '../api/api-contract.js';
import { DEVICES, type SparseEncoder } from '../encoder/index.js';
import { pickModelSource } from '../hub/index.js';
import { FILE_STATUSES, SparseIndex, isIndexError, sparseDot, type FileInfo, type FileStatus, type IndexWriter, type PassageInfo, type SparseVector } from '../index/index.js';
import { appDataDir } from '../util/app-data-dir.js';
import { EngineError } from './engine-error.js';
import { EngineEvents } from './engine-events.js';
import type {
  EngineStatus,
  ExplainResponse,
  Expansion,
  FileEntry,
  FilePassagesResponse,
  FileRef,
  FileState,
  FolderEntry,
  HitTermsResponse,
  ListFilesResponse,
  PassageRef,
  Progress,
  SearchHit,
  SearchResponse,
  Settings,
} from './engine-types.js';
import { ModelHost } from './model-host.js';
import { parseQuery } from './query-syntax.js';
import { rankExact } from './search-ranking.js';
import { loadSettings, saveSettings, writeFileAtomic } from './settings-store.js';
import { capTerms, cappedContributions, contributions, expansionTerms, highlightsFor, textTokens } from './text-tokens.js';
import { DEFAULT_TERMS_PER_HIT, MAX_TERMS_PER_HIT } from './engine-types.js';
import { EngineState } from './engine-state.js';
import { Indexer } from './indexer.js';
import type { IngestPort } from './ingest-port.js';
import { IndexRebuild, NEXT_INDEX_DIR, builtWithOf, sameBuild, type BuiltWith, type RebuiltIndex } from './index-rebuild.js';

export interface EngineOpenOptions {
  /** The data folder (CLI `--data`); else $SPLADE_DATA_DIR, else the platform's per-user data folder. */
  dataDir?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Model override (CLI `--model`); else $SPLADE_MODEL, else the model the index was built with, else the setting. */
  model?: string | undefined;
  /** Fetch a Hub model missing from the cache while loading (default false: status says 'missing' until downloadModel). */
  download?: boolean;
  /** Start loading the model at once (default true). */
  loadModel?: boolean;
  /** ONNX graph cache folder (default: the encoder's). */
  onnxCacheDir?: string | undefined;
  /** Encoder batch size and threads (defaults: the encoder's). */
  batchSize?: number | undefined;
  threads?: number | undefined;
  /** Who this process is, shown to readers that find the data folder locked (default: the command line). */
  processName?: string;
  /**
   * What the writer does with the folders: 'watch' (default: scan, index, then follow changes as they happen),
   * 'sync' (scan and index; `whenIdle()` says when the index is in sync) or 'off' (only what the calls change).
   * A reader never indexes.
   */
  indexing?: 'watch' | 'sync' | 'off';
  /** Open as a reader even when no other process writes (commands that only read: search, files, status). */
  readOnly?: boolean;
  /** The ingest implementation (default: app/ingest, through ingest-adapter.ts). */
  ingest?: IngestPort;
}


const WRITER_FILE = 'writer.json';
/** Least time between two `folders` events sent for indexing's count changes (at most four a second). */
const FOLDERS_EVENT_MS = 250;
const EMPTY_COUNTS = (): Record<FileState, number> => ({ pending: 0, indexed: 0, skipped: 0, failed: 0, unavailable: 0 });

/** A passage a request names is gone (or was stored without its vector): the view that named it is out of date. */
function passageNotFound(passageId: number): EngineError {
  return new EngineError('not-found', `Passage ${passageId} is not in the index (or was indexed without its vector): refresh the view`, { passageId });
}

/** Query vectors kept for reuse (a few KB each). */
const RECENT_QUERIES = 32;

export class Engine {
  private readonly events = new EngineEvents();
  private readonly recentQueries = new Map<string, { encoder: SparseEncoder; vector: SparseVector }>();
  private closed = false;
  private indexer: Indexer | undefined;
  private progressState: Progress = {
    phase: 'idle', queued: 0, done: 0, indexed: 0, skipped: 0, failed: 0, passagesPerSecond: 0, etaSeconds: null, currentFile: null, message: null,
  };

  private constructor(
    readonly dataDir: string,
    private settings: Settings,
    private index: SparseIndex,
    private writer: IndexWriter | undefined,
    private model: ModelHost,
    private readonly state: EngineState,
    private readonly options: EngineOpenOptions & { env: NodeJS.ProcessEnv },
  ) {
    this.indexIdentity = catalogIdentity(dataDir);
  }

  /** Which catalog file this engine has open (a swap after a rebuild replaces it; readers then reopen). */
  private indexIdentity: string | null;
  private rebuild: IndexRebuild | undefined;
  private rebuildDone: Promise<void> = Promise.resolve();
  private watching = false;

  /** Opens the data folder (creating it), as the writer when no other process writes it, else as a reader. */
  static async open(options: EngineOpenOptions = {}): Promise<Engine> {
    const env = options.env ?? process.env;
    const dataDir = appDataDir({ dataDir: options.dataDir, env });
    const { settings } = loadSettings(dataDir);
    const index = SparseIndex.open(join(dataDir, 'index'));
    let writer: IndexWriter | undefined;
    try {
      if (!options.readOnly) writer = index.openWriter({ keepVectors: true });
    } catch (error) {
      if (!isIndexError(error, 'index-locked')) {
        index.close();
        throw error;
      }
    }
    if (writer) {
      const who = { pid: process.pid, name: options.processName ?? process.argv.slice(1).map((arg) => basename(arg)).join(' '), since: Date.now() };
      writeFileAtomic(join(dataDir, WRITER_FILE), JSON.stringify(who) + '\n');
    }
    const builtWith = builtWithOf(index.payload);
    const engine: Engine = new Engine(dataDir, settings, index, writer, undefined as unknown as ModelHost, new EngineState(dataDir), { ...options, env });
    // Search and indexing use the model the index was built with; a different wanted model makes it stale.
    engine.model = engine.makeModel(builtWith?.model ?? engine.wantedModel());
    if (options.loadModel ?? true) engine.model.load().catch(() => undefined);
    const indexing = options.indexing ?? 'watch';
    if (writer && indexing !== 'off') {
      engine.ingestPort = options.ingest ?? (await import('./ingest-adapter.js')).createIngestPort();
      engine.watching = indexing === 'watch';
      engine.startIndexer();
      engine.maybeRebuild();
    }
    return engine;
  }

  /** 'writer' when this process holds the index's lock. */
  get role(): 'writer' | 'reader' {
    return this.writer ? 'writer' : 'reader';
  }

  on<E extends EventName>(event: E, listener: (payload: PayloadOf<E>) => void): () => void {
    return this.events.on(event, listener);
  }

  /**
   * Resolves once the index is in sync with the folders: scans done, watch events reconciled, no pending file
   * (immediately when this engine does not index). Rejects when indexing stopped on an error.
   */
  whenIdle(): Promise<void> {
    return this.indexer ? this.indexer.whenIdle() : Promise.resolve();
  }

  /** Files indexed, skipped and failed since this engine started indexing (for the CLI's summary). */
  get indexingTotals(): { done: number; indexed: number; skipped: number; failed: number } {
    return this.indexer?.totals ?? { done: 0, indexed: 0, skipped: 0, failed: 0 };
  }

  private startIndexer(): void {
    const model = this.model;
    this.indexer = new Indexer({
      index: this.index,
      writer: this.writer!,
      port: this.ingestPort!,
      encoder: () => model.ready(),
      settings: () => this.settings,
      // The index's own build; an empty index is built with the wanted settings from its first commit.
      state: this.state,
      payload: () => ({ builtWith: this.builtWith() ?? this.wantedBuild() }),
      onProgress: (change) => this.setProgress(change),
      onFolders: () => this.scheduleFolders(),
    });
    this.indexer.start({ watch: this.watching });
  }

  private ingestPort: IngestPort | undefined;

  private makeModel(reference: string): ModelHost {
    return new ModelHost({
      reference,
      device: this.settings.device,
      precision: this.settings.precision,
      env: this.options.env,
      download: this.options.download ?? false,
      cacheDir: this.options.onnxCacheDir,
      batchSize: this.options.batchSize,
      threads: this.options.threads,
      onChange: () => {
        this.emitStatus();
        // Indexing waits for the model: a model that became ready (downloaded) lets it go on.
        if (this.model?.state === 'ready') this.indexer?.wake();
      },
      onDownload: (progress) => this.events.emit('download', progress),
    });
  }

  /** The model asked for: `--model`, else $SPLADE_MODEL, else the setting (else the default model). */
  private wantedModel(): string {
    const source = pickModelSource({ option: this.options.model, env: this.options.env, settings: this.settings.model });
    return source.kind === 'folder' ? source.path : source.id;
  }

  private wantedBuild(): BuiltWith {
    return { model: this.wantedModel(), passageTokens: this.settings.passageTokens, passageOverlap: this.settings.passageOverlap };
  }

  /**
   * Starts rebuilding into `index-next/` when the index is stale (another model or passage size is wanted); a running
   * rebuild for other settings is cancelled first. The old index keeps answering until the swap.
   */
  private maybeRebuild(): void {
    if (!this.writer || !this.ingestPort || !this.isStale()) return;
    const target = this.wantedBuild();
    if (this.rebuild && sameBuild(this.rebuild.target, target)) return;
    const previous = this.rebuild;
    const rebuildModel = target.model === this.model.reference ? this.model : this.makeModel(target.model);
    const rebuild = new IndexRebuild({
      dataDir: this.dataDir,
      target,
      folders: this.index.listFolders().map((folder) => folder.path),
      port: this.ingestPort,
      model: rebuildModel,
      settings: () => this.settings,
      state: this.state,
      onProgress: (change) => this.setProgress(change),
    });
    this.rebuild = rebuild;
    const dropModel = () => (rebuildModel !== this.model ? rebuildModel.dispose() : Promise.resolve());
    this.rebuildDone = (async () => {
      await previous?.cancel();
      const next = await rebuild.run().catch(async (error: unknown) => {
        await dropModel();
        throw error;
      });
      if (!next || this.closed || this.rebuild !== rebuild) {
        if (next) {
          next.writer.close();
          next.index.close();
        }
        await dropModel();
        return;
      }
      await this.swapIn(next);
    })().catch((error: unknown) => {
      if (this.rebuild === rebuild) this.rebuild = undefined;
      this.setProgress({ phase: 'error', message: `rebuilding the index for ${target.model} failed: ${(error as Error).message}` });
    });
  }

  /** Replaces the index (and model) with a rebuilt one: `index-next` becomes `index`; indexing goes on there. */
  private async swapIn(next: RebuiltIndex): Promise<void> {
    await this.indexer?.stop();
    this.indexer = undefined;
    next.writer.close();
    next.index.close();
    this.writer!.close();
    this.index.close();
    const live = join(this.dataDir, 'index');
    const old = join(this.dataDir, `index-old-${Date.now()}`);
    renameSync(live, old);
    renameSync(join(this.dataDir, NEXT_INDEX_DIR), live);
    // Readers elsewhere may still have the old files open: removal is best effort (retried at the next open).
    rmSync(old, { recursive: true, force: true, maxRetries: 2 });
    this.index = SparseIndex.open(live);
    this.writer = this.index.openWriter({ keepVectors: true });
    this.indexIdentity = catalogIdentity(this.dataDir);
    const oldModel = this.model;
    this.model = next.model;
    if (oldModel !== next.model) await oldModel.dispose();
    this.rebuild = undefined;
    this.startIndexer();
    this.emitStatus();
    this.emitFolders();
  }

  /** A new device or precision: the same model on a new encoder; indexing resumes with it. */
  private async reloadModel(): Promise<void> {
    // A rebuild in progress shares the encoder; it brings its own when it is swapped in.
    if (this.rebuild) return;
    const old = this.model;
    await this.indexer?.stop();
    this.model = this.makeModel(old.reference);
    if (old.loaded || old.state === 'loading') this.model.load().catch(() => undefined);
    if (this.indexer) this.startIndexer();
    await old.dispose();
  }

  /** Resolves when a running rebuild has been swapped in (or failed, or there is none). For tests and the CLI. */
  whenRebuilt(): Promise<void> {
    return this.rebuildDone;
  }

  /** A reader notices a swap made by the writing process and reopens the index (and its model when it changed). */
  private refreshIndex(): void {
    if (!this.writer) {
      const identity = catalogIdentity(this.dataDir);
      if (identity !== null && identity !== this.indexIdentity) {
        this.index.close();
        this.index = SparseIndex.open(join(this.dataDir, 'index'));
        this.indexIdentity = identity;
        const built = builtWithOf(this.index.payload);
        if (built && built.model !== this.model.reference) {
          void this.model.dispose();
          this.model = this.makeModel(built.model);
          this.model.load().catch(() => undefined);
        }
      }
    }
    this.index.refresh();
  }

  // ------------------------------------------------------------------ search

  async search(params: ParamsOf<'search'>): Promise<SearchResponse> {
    const request = this.validate('search', params);
    const started = performance.now();
    const parsed = parseQuery(request.query, request.filters ?? {});
    const k = request.k ?? 10;
    if (parsed.text.trim() === '') {
      return { query: parsed, queryTerms: [], hits: [], timings: { encodeMs: 0, searchMs: 0, totalMs: 0 }, stale: this.isStale() };
    }
    const encoder = await this.model.ready();
    this.assertOpen();
    const vector = await this.queryVector(encoder, parsed.text);
    const encoded = performance.now();
    const tokens = textTokens(encoder, parsed.text);
    const hits = this.rank(vector, k, request.mode ?? 'exact', parsed.filters, parsed.phrases, parsed.excluded, request.termsPerHit ?? DEFAULT_TERMS_PER_HIT);
    const done = performance.now();
    return {
      query: parsed,
      queryTerms: expansionTerms(encoder, vector, tokens.ids, 32),
      hits,
      timings: { encodeMs: encoded - started, searchMs: done - encoded, totalMs: done - started },
      stale: this.isStale(),
    };
  }

  async moreLikeThis(params: ParamsOf<'moreLikeThis'>): Promise<SearchResponse> {
    const request = this.validate('moreLikeThis', params);
    const started = performance.now();
    const encoder = await this.model.ready();
    this.assertOpen();
    this.refreshIndex();
    const passage = this.index.getPassage(request.passageId);
    const vector = this.index.passageVectors([request.passageId]).get(request.passageId);
    if (!passage || !vector) throw passageNotFound(request.passageId);
    const filters = request.filters ?? {};
    const hits = this.rank(vector, request.k ?? 10, 'exact', filters, [], [], request.termsPerHit ?? DEFAULT_TERMS_PER_HIT, new Set([request.passageId]));
    const done = performance.now();
    const own = textTokens(encoder, passage.text ?? '');
    return {
      query: { text: passage.text ?? '', phrases: [], excluded: [], filters },
      queryTerms: expansionTerms(encoder, vector, own.ids, 32),
      hits,
      timings: { encodeMs: 0, searchMs: done - started, totalMs: done - started },
      stale: this.isStale(),
    };
  }

  async hitTerms(params: ParamsOf<'hitTerms'>): Promise<HitTermsResponse> {
    const request = this.validate('hitTerms', params);
    const encoder = await this.model.ready();
    this.assertOpen();
    this.refreshIndex();
    const passage = this.index.getPassage(request.passageId);
    const ids = request.likePassageId === undefined ? [request.passageId] : [request.passageId, request.likePassageId];
    const vectors = this.index.passageVectors(ids);
    const vector = vectors.get(request.passageId);
    if (!passage || !vector) throw passageNotFound(request.passageId);
    let query: SparseVector;
    if (request.likePassageId !== undefined) {
      const like = vectors.get(request.likePassageId);
      if (!like) throw passageNotFound(request.likePassageId);
      query = like;
    } else {
      const text = parseQuery(request.query ?? '', {}).text;
      if (text.trim() === '') throw new EngineError('invalid-request', 'The query has no words to encode (only operators or nothing)', { field: 'query' });
      query = await this.queryVector(encoder, text);
    }
    const tokens = textTokens(encoder, passage.text ?? '');
    const { terms, otherTerms } = cappedContributions(encoder, query, vector, tokens.ids, request.limit ?? MAX_TERMS_PER_HIT);
    return { passageId: request.passageId, score: sparseDot(query, vector), terms, otherTerms, highlights: highlightsFor(tokens.tokens, terms) };
  }

  async explain(params: ParamsOf<'explain'>): Promise<ExplainResponse> {
    const request = this.validate('explain', params);
    const encoder = await this.model.ready();
    this.assertOpen();
    const topK = request.topK ?? 64;
    const [document] = await encoder.encodeDocument([request.text]);
    const [query] = await encoder.encodeQuery([request.text]);
    const own = textTokens(encoder, request.text);
    const expansion = (vector: SparseVector, tokens: typeof own): Expansion => ({
      terms: expansionTerms(encoder, vector, tokens.ids, topK),
      activeDims: vector.indices.length,
      tokens: tokens.tokens,
      truncated: tokens.truncated,
    });
    const response: ExplainResponse = { document: expansion(document!, own), query: expansion(query!, own) };
    if (request.compareWith !== undefined) {
      const [other] = await encoder.encodeDocument([request.compareWith]);
      const otherTokens = textTokens(encoder, request.compareWith);
      const { terms, otherTerms } = capTerms(contributions(encoder, query!, other!, otherTokens.ids), topK);
      response.comparison = { score: encoder.similarity(query!, other!), terms, otherTerms, document: expansion(other!, otherTokens) };
    }
    return response;
  }

  // ------------------------------------------------------------------ browsing

  async filePassages(params: ParamsOf<'filePassages'>): Promise<FilePassagesResponse> {
    const request = this.validate('filePassages', params);
    this.refreshIndex();
    const file = this.index.getFile(resolve(request.path));
    if (!file) throw new EngineError('not-found', `${request.path} is not in the index: refresh the view`, { path: request.path });
    const passages = this.index.passagesOfFile(file.id);
    const encoder = passages.length > 0 ? await this.model.ready() : undefined;
    const vectors = this.index.passageVectors(passages.map((passage) => passage.id));
    return {
      file: this.fileEntry(file),
      passages: passages.map((passage) => {
        const vector = vectors.get(passage.id);
        const tokens = encoder ? textTokens(encoder, passage.text ?? '') : undefined;
        return { ...passageRef(passage), topTerms: encoder && vector && tokens ? expansionTerms(encoder, vector, tokens.ids, 10) : [] };
      }),
    };
  }

  async listFiles(params: ParamsOf<'listFiles'>): Promise<ListFilesResponse> {
    const request = this.validate('listFiles', params);
    this.assertOpen();
    this.refreshIndex();
    const status = request.status === undefined ? undefined : toIndexStatus(request.status);
    const folder = request.folder === undefined ? undefined : resolve(request.folder);
    const total = this.index.listFiles({ ...(status ? { status } : {}), ...(folder ? { folder } : {}) }).length;
    const files = this.index.listFiles({
      ...(status ? { status } : {}),
      ...(folder ? { folder } : {}),
      limit: request.limit ?? 1000,
      offset: request.offset ?? 0,
    });
    return { files: files.map((file) => this.fileEntry(file)), total };
  }

  async listFolders(params: ParamsOf<'listFolders'> = {}): Promise<FolderEntry[]> {
    this.validate('listFolders', params);
    this.assertOpen();
    this.refreshIndex();
    return this.index.listFolders().map((folder) => this.folderEntry(folder.path, folder.addedMs));
  }

  // ------------------------------------------------------------------ folders

  async addFolder(params: ParamsOf<'addFolder'>): Promise<FolderEntry> {
    const request = this.validate('addFolder', params);
    const writer = this.requireWriter();
    const path = resolve(request.path);
    checkFolder(path);
    const folder = writer.addFolder(path);
    writer.commit();
    this.state.setPaused(path, false);
    this.indexer?.scheduleScan(path);
    this.emitFolders();
    return this.folderEntry(folder.path, folder.addedMs);
  }

  async removeFolder(params: ParamsOf<'removeFolder'>): Promise<{ removedFiles: number }> {
    const request = this.validate('removeFolder', params);
    const writer = this.requireWriter();
    const path = resolve(request.path);
    if (!this.index.listFolders().some((folder) => folder.path === path)) throw new EngineError('not-found', `${path} is not a watched folder`, { path });
    await this.indexer?.unwatch(path);
    const removedFiles = writer.removeFolder(path);
    writer.commit();
    this.state.forget(path);
    this.emitFolders();
    return { removedFiles };
  }

  async pauseFolder(params: ParamsOf<'pauseFolder'>): Promise<FolderEntry> {
    const request = this.validate('pauseFolder', params);
    this.requireWriter();
    const folder = this.knownFolder(request.path);
    this.state.setPaused(folder.path, true);
    await this.indexer?.unwatch(folder.path);
    this.emitFolders();
    return this.folderEntry(folder.path, folder.addedMs);
  }

  async resumeFolder(params: ParamsOf<'resumeFolder'>): Promise<FolderEntry> {
    const request = this.validate('resumeFolder', params);
    this.requireWriter();
    const folder = this.knownFolder(request.path);
    this.state.setPaused(folder.path, false);
    this.indexer?.scheduleScan(folder.path);
    this.emitFolders();
    return this.folderEntry(folder.path, folder.addedMs);
  }

  async reindexFolder(params: ParamsOf<'reindexFolder'>): Promise<FolderEntry> {
    const request = this.validate('reindexFolder', params);
    const writer = this.requireWriter();
    const folder = this.knownFolder(request.path);
    // Pending is the durable queue: the files stay searchable until their new passages are committed.
    for (const file of this.index.listFiles({ folder: folder.path })) {
      // Without its hash the job re-extracts and re-encodes even when the content did not change.
      if (file.status !== 'unavailable') writer.markFile({ path: file.path, status: 'pending', contentHash: null, error: null, reasonCode: null });
    }
    writer.commit();
    this.indexer?.wake();
    this.emitFolders();
    return this.folderEntry(folder.path, folder.addedMs);
  }

  async pauseIndexing(params: ParamsOf<'pauseIndexing'> = {}): Promise<Progress> {
    this.validate('pauseIndexing', params);
    this.requireWriter();
    this.state.setIndexingPaused(true);
    this.setProgress({ phase: 'paused' });
    return this.progressState;
  }

  async resumeIndexing(params: ParamsOf<'resumeIndexing'> = {}): Promise<Progress> {
    this.validate('resumeIndexing', params);
    this.requireWriter();
    this.state.setIndexingPaused(false);
    this.setProgress({ phase: 'idle' });
    this.indexer?.wake();
    return this.progressState;
  }

  // ------------------------------------------------------------------ settings and status

  async getSettings(params: ParamsOf<'getSettings'> = {}): Promise<Settings> {
    this.validate('getSettings', params);
    return structuredClone(this.settings);
  }

  async setSettings(params: ParamsOf<'setSettings'>): Promise<Settings> {
    const change = this.validate('setSettings', params) as Partial<Settings>;
    this.requireWriter();
    const before = this.settings;
    this.settings = saveSettings(this.dataDir, this.settings, change);
    if (before.device !== this.settings.device || before.precision !== this.settings.precision) await this.reloadModel();
    this.maybeRebuild();
    this.emitStatus();
    return structuredClone(this.settings);
  }

  async status(params: ParamsOf<'status'> = {}): Promise<EngineStatus> {
    this.validate('status', params);
    return this.currentStatus();
  }

  async downloadModel(params: ParamsOf<'downloadModel'> = {}): Promise<{ started: boolean }> {
    this.validate('downloadModel', params);
    this.assertOpen();
    if (this.model.loaded) return { started: false };
    this.model.download().catch(() => undefined);
    return { started: true };
  }

  /** Stops everything and releases the data folder (commits nothing half-done: uncommitted work is rolled back). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.foldersTimer);
    try {
      await this.rebuild?.cancel().catch(() => undefined);
      await this.rebuildDone;
      await this.indexer?.stop().catch(() => undefined);
      await this.ingestPort?.close();
      if (this.writer) {
        this.writer.close();
        rmSync(join(this.dataDir, WRITER_FILE), { force: true });
      }
      this.index.close();
    } finally {
      this.events.clear();
      await this.model.dispose();
    }
  }

  // ------------------------------------------------------------------ internals

  /** The model reference in use (folder path or Hub id). */
  get modelReference(): string {
    return this.model.reference;
  }

  /**
   * The query's vector, from a small cache of recent ones: a hit's detail (`hitTerms`) asks again for the query just
   * searched, and typing revisits prefixes. Keyed by text and encoder (a new model encodes again).
   */
  private async queryVector(encoder: SparseEncoder, text: string): Promise<SparseVector> {
    const cached = this.recentQueries.get(text);
    if (cached && cached.encoder === encoder) {
      this.recentQueries.delete(text);
      this.recentQueries.set(text, cached);
      return cached.vector;
    }
    const [vector] = await encoder.encodeQuery([text]);
    this.recentQueries.delete(text);
    this.recentQueries.set(text, { encoder, vector: vector! });
    for (const oldest of this.recentQueries.keys()) {
      if (this.recentQueries.size <= RECENT_QUERIES) break;
      this.recentQueries.delete(oldest);
    }
    return vector!;
  }

  private rank(vector: SparseVector, k: number, mode: 'exact' | 'approximate', filters: { folders?: string[]; fileTypes?: string[]; modifiedAfter?: number; modifiedBefore?: number }, phrases: string[], excluded: string[], termsPerHit: number, exclude?: Set<number>): SearchHit[] {
    const encoder = this.model.loaded!;
    this.refreshIndex();
    const filter = { ...filters, ...(filters.folders ? { folders: filters.folders.map((folder) => resolve(folder)) } : {}) };
    const { passages } = rankExact(this.index, vector, { k, mode, filter, phrases, excluded, ...(exclude ? { exclude } : {}) });
    // Terms and highlights for the final k only, capped per hit: a dense model's passages share hundreds of terms.
    return passages.map(({ hit, score, vector: passageVector }) => {
      const tokens = textTokens(encoder, hit.passage.text ?? '');
      const { terms, otherTerms } = passageVector
        ? cappedContributions(encoder, vector, passageVector, tokens.ids, termsPerHit)
        : capTerms(hit.terms.map((term) => ({ term: encoder.tokenizer.idToToken(term.term) ?? `[${term.term}]`, id: term.term, queryWeight: term.queryWeight, passageWeight: term.passageWeight, contribution: term.contribution, inText: tokens.ids.has(term.term) })), termsPerHit);
      return { score, file: this.fileRef(hit.file), passage: passageRef(hit.passage), terms, otherTerms, highlights: highlightsFor(tokens.tokens, terms) };
    });
  }

  private builtWith(): BuiltWith | null {
    return builtWithOf(this.index.payload);
  }

  /** The index was built with another model or passage size than the ones wanted now (a rebuild runs or is due). */
  private isStale(): boolean {
    const built = this.builtWith();
    return built !== null && !sameBuild(built, this.wantedBuild());
  }

  private currentStatus(): EngineStatus {
    this.assertOpen();
    this.refreshIndex();
    const files = EMPTY_COUNTS();
    for (const status of FILE_STATUSES) files[fromIndexStatus(status)] += this.index.listFiles({ status }).length;
    const stats = this.index.stats();
    const encoder = this.model.loaded;
    const choice = encoder?.executionProvider;
    return {
      dataDir: this.dataDir,
      model: { name: this.model.reference, state: this.model.state, folder: this.model.folder, error: this.model.error },
      encoder: choice ? { provider: choice.provider, precision: choice.precision, reasons: choice.fallbackReason ? choice.fallbackReason.split('; ') : [] } : null,
      devices: [...DEVICES],
      index: {
        folders: this.index.listFolders().length,
        files,
        passages: stats.liveDocCount,
        bytes: stats.segmentBytes,
        builtWith: this.builtWith(),
        stale: this.isStale(),
      },
      role: this.role,
      progress: { ...this.progressState },
    };
  }

  private emitStatus(): void {
    if (this.closed) return;
    try {
      this.events.emit('status', this.currentStatus());
    } catch {
      /* status while closing */
    }
  }

  /**
   * `folders` and `status` events (per-folder counts, index totals) soon, coalesced: the first change emits at once,
   * later ones within FOLDERS_EVENT_MS join one trailing emit (counts change with every committed batch).
   */
  private scheduleFolders(): void {
    if (this.closed) return;
    if (this.foldersTimer) {
      this.foldersPending = true;
      return;
    }
    this.emitCounts();
    const tick = () => {
      if (this.foldersPending && !this.closed) {
        this.foldersPending = false;
        this.emitCounts();
        this.foldersTimer = setTimeout(tick, FOLDERS_EVENT_MS);
      } else this.foldersTimer = undefined;
    };
    this.foldersTimer = setTimeout(tick, FOLDERS_EVENT_MS);
  }

  private emitCounts(): void {
    this.emitFolders();
    this.emitStatus();
  }

  private foldersTimer: ReturnType<typeof setTimeout> | undefined;
  private foldersPending = false;

  private emitFolders(): void {
    if (this.closed) return;
    this.events.emit('folders', this.index.listFolders().map((folder) => this.folderEntry(folder.path, folder.addedMs)));
  }

  private setProgress(change: Partial<Progress>): void {
    this.progressState = { ...this.progressState, ...change };
    this.events.emit('progress', { ...this.progressState });
  }

  private folderEntry(path: string, addedMs: number): FolderEntry {
    const counts = EMPTY_COUNTS();
    for (const file of this.index.listFiles({ folder: path })) counts[fromIndexStatus(file.status)]++;
    const available = isReadableFolder(path);
    const paused = this.state.isPaused(path);
    const watch = this.state.watchInfo(path);
    return { path, addedMs, paused, available, watching: paused || !available ? 'off' : watch.watching, warning: watch.warning, counts };
  }

  private fileEntry(file: FileInfo): FileEntry {
    return {
      path: file.path,
      folder: this.folderPathOf(file),
      ext: file.ext,
      size: file.size,
      mtimeMs: file.mtimeMs,
      status: fromIndexStatus(file.status),
      reason: file.status === 'indexed' || file.status === 'pending' ? file.error : file.error,
      reasonCode: file.reasonCode,
      passageCount: file.passageCount,
      updatedMs: file.updatedMs,
    };
  }

  private fileRef(file: FileInfo): FileRef {
    return { path: file.path, name: basename(file.path), folder: this.folderPathOf(file), ext: file.ext, size: file.size, mtimeMs: file.mtimeMs, status: fromIndexStatus(file.status) };
  }

  private folderPathOf(file: FileInfo): string {
    return this.index.listFolders().find((folder) => folder.id === file.folderId)?.path ?? '';
  }

  private knownFolder(path: string): { path: string; addedMs: number } {
    const absolute = resolve(path);
    const folder = this.index.listFolders().find((candidate) => candidate.path === absolute);
    if (!folder) throw new EngineError('not-found', `${absolute} is not a watched folder`, { path: absolute });
    return folder;
  }

  private requireWriter(): IndexWriter {
    this.assertOpen();
    if (this.writer) return this.writer;
    let holder = 'another process';
    try {
      const who = JSON.parse(readFileSync(join(this.dataDir, WRITER_FILE), 'utf8')) as { pid: number; name: string };
      holder = `${who.name || 'another process'} (pid ${who.pid})`;
    } catch {
      /* the writer did not say who it is */
    }
    throw new EngineError('read-only', `${holder} is writing the index in ${this.dataDir}; close it to change folders or settings from here`, { dataDir: this.dataDir, writer: holder });
  }

  private validate<M extends MethodName>(method: M, params: unknown): z.output<(typeof methods)[M]['params']> {
    this.assertOpen();
    const parsed = methods[method].params.safeParse(params ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || '(params)';
      throw new EngineError('invalid-request', `${method}: ${field}: ${issue.message}`, { method, field });
    }
    return parsed.data as z.output<(typeof methods)[M]['params']>;
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineError('closed', 'The engine was closed');
  }
}

/** Identity (device + inode) of the live catalog file, or null when there is none. */
function catalogIdentity(dataDir: string): string | null {
  try {
    const info = statSync(join(dataDir, 'index', 'catalog.sqlite'));
    return `${info.dev}:${info.ino}`;
  } catch {
    return null;
  }
}

function passageRef(passage: PassageInfo): PassageRef {
  return { id: passage.id, ordinal: passage.ordinal, text: passage.text ?? '', start: passage.charStart, end: passage.charEnd, page: passage.page, line: passage.line };
}

/** The index says 'error' where the engine's contract says 'failed'; everything else is the same word. */
export function fromIndexStatus(status: FileStatus): FileState {
  return status === 'error' ? 'failed' : status;
}

export function toIndexStatus(state: FileState): FileStatus {
  return state === 'failed' ? 'error' : state;
}

function isReadableFolder(path: string): boolean {
  try {
    if (!statSync(path).isDirectory()) return false;
    accessSync(path, fsConstants.R_OK | fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Throws EngineError 'folder-unavailable' saying whether `path` is missing, not a folder, or unreadable. */
function checkFolder(path: string): void {
  if (!existsSync(path)) throw new EngineError('folder-unavailable', `${path} does not exist`, { path, problem: 'missing' });
  if (!statSync(path).isDirectory()) throw new EngineError('folder-unavailable', `${path} is not a folder`, { path, problem: 'not-a-folder' });
  if (!isReadableFolder(path)) throw new EngineError('folder-unavailable', `${path} cannot be read (permissions)`, { path, problem: 'unreadable' });
}
