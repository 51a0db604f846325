/**
 * Rebuilding the index for new model or passage settings, in the background, while the old index stays searchable:
 * a second index in `index-next/` is filled by its own indexer (scan of every folder, its own encoder); once it is
 * in sync, the engine swaps it in (`index-next` becomes `index`). The next index records what it is built with, so
 * a rebuild interrupted by a crash or a restart resumes where it stopped, and one for other settings is discarded.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SparseIndex, type IndexWriter } from '../index/index.js';
import type { EngineState } from './engine-state.js';
import type { Progress, Settings } from './engine-types.js';
import { Indexer } from './indexer.js';
import type { IngestPort } from './ingest-port.js';
import type { ModelHost } from './model-host.js';

export const NEXT_INDEX_DIR = 'index-next';

/** What an index is built with (recorded in its commit payload). */
export interface BuiltWith {
  model: string;
  passageTokens: number;
  passageOverlap: number;
}

export function builtWithOf(payload: unknown): BuiltWith | null {
  const built = (payload as { builtWith?: BuiltWith } | null)?.builtWith;
  return built && typeof built.model === 'string' ? built : null;
}

export function sameBuild(a: BuiltWith | null, b: BuiltWith): boolean {
  return a !== null && a.model === b.model && a.passageTokens === b.passageTokens && a.passageOverlap === b.passageOverlap;
}

export interface RebuildDeps {
  dataDir: string;
  target: BuiltWith;
  folders: string[];
  port: IngestPort;
  model: ModelHost;
  settings: () => Settings;
  state: EngineState;
  onProgress: (change: Partial<Progress>) => void;
}

export interface RebuiltIndex {
  index: SparseIndex;
  writer: IndexWriter;
  model: ModelHost;
}

export class IndexRebuild {
  private indexer: Indexer | undefined;
  private cancelled = false;
  private opened: { index: SparseIndex; writer: IndexWriter } | undefined;

  constructor(private readonly deps: RebuildDeps) {}

  get target(): BuiltWith {
    return this.deps.target;
  }

  /** Fills the next index until it is in sync; resolves with it (still open), or undefined when cancelled. */
  async run(): Promise<RebuiltIndex | undefined> {
    const { dataDir, target } = this.deps;
    const dir = join(dataDir, NEXT_INDEX_DIR);
    if (existsSync(dir)) {
      // A rebuild for other settings (abandoned) is dropped; one for these settings resumes.
      const previous = SparseIndex.open(dir);
      const built = builtWithOf(previous.payload);
      previous.close();
      if (!sameBuild(built, target)) rmSync(dir, { recursive: true, force: true });
    }
    const index = SparseIndex.open(dir);
    const writer = index.openWriter({ keepVectors: true });
    this.opened = { index, writer };
    const known = new Set(index.listFolders().map((folder) => folder.path));
    for (const folder of index.listFolders()) if (!this.deps.folders.includes(folder.path)) writer.removeFolder(folder.path);
    for (const folder of this.deps.folders) if (!known.has(folder)) writer.addFolder(folder);
    writer.commit({ builtWith: target });
    if (this.cancelled) return this.discard();
    const model = this.deps.model;
    this.indexer = new Indexer({
      index,
      writer,
      port: this.deps.port,
      encoder: () => model.ready(),
      settings: this.deps.settings,
      state: this.deps.state,
      payload: () => ({ builtWith: target }),
      onProgress: (change) => this.deps.onProgress(change.phase === 'indexing' || change.phase === 'scanning' ? { ...change, phase: 'reindexing' } : change),
      onFolders: () => undefined,
    });
    this.indexer.start({ watch: false });
    try {
      await this.indexer.whenIdle();
      await this.indexer.stop();
    } catch (error) {
      await this.indexer.stop().catch(() => undefined);
      this.discard();
      throw error;
    }
    if (this.cancelled) return this.discard();
    return { index, writer, model };
  }

  /** Stops the rebuild (its work so far stays on disk for a resume with the same settings). */
  async cancel(): Promise<void> {
    this.cancelled = true;
    await this.indexer?.stop();
  }

  private discard(): undefined {
    this.opened?.writer.close();
    this.opened?.index.close();
    this.opened = undefined;
    return undefined;
  }
}
