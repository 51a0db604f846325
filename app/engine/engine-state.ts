/**
 * What the engine remembers beside the index: which folders are paused and whether indexing as a whole is paused
 * (`state.json` in the data folder, written atomically), and — in memory only — how each folder is watched. The
 * folders themselves, files and their statuses live in the index catalog, not here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './settings-store.js';

interface Persisted {
  pausedFolders: string[];
  indexingPaused: boolean;
}

export interface WatchInfo {
  watching: 'events' | 'polling' | 'off';
  warning: string | null;
}

export class EngineState {
  private persisted: Persisted;
  private readonly watches = new Map<string, WatchInfo>();

  constructor(private readonly dataDir: string) {
    this.persisted = { pausedFolders: [], indexingPaused: false };
    try {
      const raw = JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8')) as Partial<Persisted>;
      if (Array.isArray(raw.pausedFolders)) this.persisted.pausedFolders = raw.pausedFolders.filter((p): p is string => typeof p === 'string');
      if (typeof raw.indexingPaused === 'boolean') this.persisted.indexingPaused = raw.indexingPaused;
    } catch {
      /* no state yet (or unreadable: start unpaused) */
    }
  }

  isPaused(folder: string): boolean {
    return this.persisted.pausedFolders.includes(folder);
  }

  setPaused(folder: string, paused: boolean): void {
    const others = this.persisted.pausedFolders.filter((path) => path !== folder);
    this.persisted.pausedFolders = paused ? [...others, folder] : others;
    this.save();
  }

  get indexingPaused(): boolean {
    return this.persisted.indexingPaused;
  }

  setIndexingPaused(paused: boolean): void {
    this.persisted.indexingPaused = paused;
    this.save();
  }

  /** Forgets a removed folder. */
  forget(folder: string): void {
    this.watches.delete(folder);
    this.setPaused(folder, false);
  }

  watchInfo(folder: string): WatchInfo {
    return this.watches.get(folder) ?? { watching: 'off', warning: null };
  }

  setWatch(folder: string, info: WatchInfo): void {
    this.watches.set(folder, info);
  }

  private save(): void {
    writeFileAtomic(join(this.dataDir, 'state.json'), JSON.stringify(this.persisted, null, 2) + '\n');
  }
}
