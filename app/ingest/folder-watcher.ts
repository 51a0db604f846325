/**
 * Watches one folder for changes after its initial scan, with chokidar 5.0.0 (pinned; see README: 6.x declares
 * Node >= 22.22, so 5.x is what runs on Node 20 and 24 alike). Events are coalesced into debounced batches of
 * added, changed and removed files plus removed directories; renames and moves arrive as removal + addition in
 * one batch (pair them with `pairRenames`).
 *
 * chokidar 5 holds one inotify watch per directory AND per file, and follows symlink loops 40 levels deep
 * (reference §1), so the folder's ignore rules are applied before anything is watched: skipped directories
 * (node_modules, .git, gitignored...) and files of unsupported or ignored types get no watch, and a directory
 * reached again through a link (same real path) is not watched twice. When the watch limit is hit (ENOSPC, or
 * EMFILE), the folder switches to polling and `status.warning` says so and how to raise the limit — never a
 * silently unwatched folder. A change to a .gitignore/.ignore file reloads the rules, restarts the watch (so
 * newly included files get watched) and asks for a rescan of that directory (`batch.rescan`).
 *
 * The folder itself is checked every `rootCheckMs`: when it disappears (removed, renamed, drive unmounted),
 * `status.available` turns false and pending removals are dropped (an unmounted drive's files are unavailable,
 * not deleted); when it comes back, the watch restarts and `batch.rescan` holds '' (rescan everything).
 */
import { existsSync, realpathSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { DEFAULT_SKIP_DIRS, FolderRules, type SkipReason } from './ignore-rules.js';

export interface WatchedFile {
  path: string;
  /** Relative to the folder, '/'-separated. */
  rel: string;
  size: number;
  mtimeMs: number;
}

export interface WatchBatch {
  /** New files that pass the rules (created, moved or renamed in). */
  added: WatchedFile[];
  /** Files whose content may have changed. */
  changed: WatchedFile[];
  /** Added or changed files now skipped by a rule that needs their size (the size cap). */
  skipped: Array<WatchedFile & SkipReason>;
  /** Absolute paths of files gone (deleted, moved or renamed away). */
  removed: string[];
  /** Absolute paths of directories gone: everything indexed under them is gone too. */
  removedDirs: string[];
  /** Relative directories to rescan with `scanFolder({ under })` ('' = the whole folder): their ignore rules changed, or the folder came back. */
  rescan: string[];
}

export interface WatcherStatus {
  /** How changes are seen now. */
  watching: 'events' | 'polling' | 'off';
  /** False while the folder does not exist or cannot be read. */
  available: boolean;
  /** Something the UI shows (the watch limit was hit), else null. */
  warning: string | null;
}

export interface FolderWatcherOptions {
  onBatch: (batch: WatchBatch) => void;
  onStatus?: (status: WatcherStatus) => void;
  /** Quiet time before a batch is delivered (default 250 ms). */
  debounceMs?: number;
  /** A batch is delivered at the latest this long after its first event (default 2000 ms). */
  maxWaitMs?: number;
  /** Poll from the start instead of using events (network drives). */
  usePolling?: boolean;
  /** Polling interval when polling (default 5000 ms). */
  pollIntervalMs?: number;
  /** How often the folder's own existence is checked (default 2000 ms). */
  rootCheckMs?: number;
  /** Wait until a file's size is stable this long before reporting it (default 300 ms; 0 = off). */
  writeStableMs?: number;
}

type Pending = 'add' | 'change' | 'unlink';

export class FolderWatcher {
  readonly rules: FolderRules;
  private readonly options: Required<Omit<FolderWatcherOptions, 'onStatus'>> & Pick<FolderWatcherOptions, 'onStatus'>;
  private watcher: FSWatcher | null = null;
  private current: WatcherStatus = { watching: 'off', available: true, warning: null };
  private pending = new Map<string, { type: Pending; stats?: Stats }>();
  private removedDirs = new Set<string>();
  private rescan = new Set<string>();
  private debounce: NodeJS.Timeout | null = null;
  private firstEventAt = 0;
  private rootTimer: NodeJS.Timeout | null = null;
  private rootId: string | null = null;
  private realDirs = new Map<string, string>();
  /** Directories whose rule files were read by the watch filter. */
  private rulesRead = new Set<string>();
  private polling: boolean;
  private closed = false;
  private restarting: Promise<void> | null = null;
  private pendingReady: (() => void) | null = null;
  /** ENOSPC/EMFILE errors seen (the count is in the warning). */
  private limitErrors = 0;

  private constructor(rules: FolderRules, options: FolderWatcherOptions) {
    this.rules = rules;
    this.options = {
      debounceMs: 250,
      maxWaitMs: 2000,
      usePolling: false,
      pollIntervalMs: 5000,
      rootCheckMs: 2000,
      writeStableMs: 300,
      ...options,
    };
    this.polling = this.options.usePolling;
  }

  /** Starts watching; resolves once the watch is in place (chokidar 'ready'). The folder's rules are loaded by the caller's scan, or here for the folder itself. */
  static async start(rules: FolderRules, options: FolderWatcherOptions): Promise<FolderWatcher> {
    const watcher = new FolderWatcher(rules, options);
    await rules.loadRulesIn('');
    const id = await watcher.rootIdentity();
    watcher.rootId = id;
    if (id === null) watcher.setStatus({ watching: 'off', available: false, warning: null });
    else await watcher.open();
    while (watcher.restarting) await watcher.restarting;
    watcher.rootTimer = setInterval(() => void watcher.checkRoot(), watcher.options.rootCheckMs);
    watcher.rootTimer.unref();
    return watcher;
  }

  get status(): WatcherStatus {
    return { ...this.current };
  }

  /** Paths chokidar watches now, relative to the folder (for tests and diagnostics). */
  watchedDirectories(): string[] {
    if (!this.watcher) return [];
    return Object.keys(this.watcher.getWatched()).map((d) => this.rel(d)).filter((d) => !d.startsWith('..')).sort();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pendingReady?.();
    if (this.rootTimer) clearInterval(this.rootTimer);
    if (this.debounce) clearTimeout(this.debounce);
    await this.watcher?.close();
    this.watcher = null;
  }

  private async open(): Promise<void> {
    const root = this.rules.root;
    this.realDirs.clear();
    const stable = this.options.writeStableMs;
    const w = watch(root, {
      ignoreInitial: true,
      persistent: true,
      followSymlinks: true,
      alwaysStat: true,
      usePolling: this.polling,
      interval: this.options.pollIntervalMs,
      binaryInterval: this.options.pollIntervalMs,
      ignorePermissionErrors: true,
      awaitWriteFinish: stable > 0 ? { stabilityThreshold: stable, pollInterval: Math.max(20, Math.min(100, stable / 3)) } : false,
      ignored: (path: string, stats?: Stats) => this.ignored(path, stats),
    });
    this.watcher = w;
    w.on('add', (p: string, s?: Stats) => this.onEvent('add', p, s));
    w.on('change', (p: string, s?: Stats) => this.onEvent('change', p, s));
    w.on('unlink', (p: string) => this.onEvent('unlink', p));
    w.on('unlinkDir', (p: string) => this.onUnlinkDir(p));
    w.on('error', (e: unknown) => this.onError(e as NodeJS.ErrnoException));
    // Resolved by 'ready', or by restart() when this watch is replaced first (ENOSPC during the initial crawl).
    await new Promise<void>((resolve) => {
      this.pendingReady = resolve;
      w.once('ready', () => resolve());
    });
    this.pendingReady = null;
    if (this.watcher === w) this.setStatus({ watching: this.polling ? 'polling' : 'events', available: true, warning: this.current.warning });
  }

  private async restart(): Promise<void> {
    if (this.restarting) return this.restarting;
    this.restarting = (async () => {
      const old = this.watcher;
      this.watcher = null;
      this.pendingReady?.();
      await old?.close();
      if (!this.closed) await this.open();
    })().finally(() => {
      this.restarting = null;
    });
    return this.restarting;
  }

  private rel(path: string): string {
    const r = relative(this.rules.root, path);
    return sep === '/' ? r : r.split(sep).join('/');
  }

  /** chokidar's filter: true = never watch. Called once without stats, and again with them (reference §1). */
  private ignored(path: string, stats?: Stats): boolean {
    const rel = this.rel(path);
    if (rel === '') return false;
    if (rel.startsWith('..')) return true;
    if (FolderRules.isRuleFile(rel)) return false;
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    if (!stats) {
      // Cheap name rules first, so that node_modules & co never get a watch.
      if (DEFAULT_SKIP_DIRS.has(name)) return true;
      return this.rules.check(rel, { isDirectory: true })?.code === 'hidden';
    }
    if (stats.isDirectory()) {
      if (this.rules.check(rel, { isDirectory: true })) return true;
      if (existsSync(join(path, 'pyvenv.cfg')) || existsSync(join(path, '.noindex'))) return true;
      // Its .gitignore/.ignore must be known before chokidar asks about its children (once per directory; a
      // change to a rule file reloads it through onRulesChanged).
      if (!this.rulesRead.has(rel)) {
        this.rules.loadRulesInSync(rel);
        this.rulesRead.add(rel);
      }
      // A directory reached again through a link (a loop or a duplicate) is not watched twice.
      let real: string;
      try {
        real = realpathSync(path);
      } catch {
        return true;
      }
      const first = this.realDirs.get(real);
      if (first !== undefined && first !== path) return true;
      this.realDirs.set(real, path);
      return false;
    }
    const skip = this.rules.check(rel, { isDirectory: false });
    return skip !== null;
  }

  private onEvent(type: Pending, path: string, stats?: Stats): void {
    const rel = this.rel(path);
    if (FolderRules.isRuleFile(rel)) {
      void this.onRulesChanged(rel);
      return;
    }
    const prior = this.pending.get(path)?.type;
    let next: Pending | null = type;
    if (type === 'add' && prior === 'unlink') next = 'change';
    else if (type === 'change' && prior === 'add') next = 'add';
    else if (type === 'unlink' && prior === 'add') next = null;
    if (next === null) this.pending.delete(path);
    else this.pending.set(path, stats ? { type: next, stats } : { type: next });
    this.schedule();
  }

  private onUnlinkDir(path: string): void {
    const rel = this.rel(path);
    if (rel === '') return; // the folder itself: checkRoot decides
    this.removedDirs.add(path);
    this.rules.dropRulesUnder(rel);
    for (const dir of this.rulesRead) if (dir === rel || dir.startsWith(`${rel}/`)) this.rulesRead.delete(dir);
    for (const [real, p] of this.realDirs) if (p === path || p.startsWith(path + sep)) this.realDirs.delete(real);
    this.schedule();
  }

  private async onRulesChanged(rel: string): Promise<void> {
    const cut = rel.lastIndexOf('/');
    const dir = cut < 0 ? '' : rel.slice(0, cut);
    await this.rules.loadRulesIn(dir);
    this.rescan.add(dir);
    await this.restart();
    this.schedule();
  }

  private onError(error: NodeJS.ErrnoException): void {
    const limit = error.code === 'ENOSPC' || error.code === 'EMFILE' || /ENOSPC|EMFILE|file watchers/.test(error.message ?? '');
    if (!limit || this.closed) return;
    this.limitErrors++;
    if (this.polling) return;
    this.polling = true;
    const why =
      error.code === 'EMFILE'
        ? 'too many open files for file-system events'
        : 'the system limit on watched files (inotify max_user_watches) is reached';
    const fix = process.platform === 'linux' ? ' To get instant updates, raise it: sudo sysctl fs.inotify.max_user_watches=524288.' : '';
    const warning = `Changes in ${this.rules.root} are checked every ${Number((this.options.pollIntervalMs / 1000).toFixed(1))} s because ${why}.${fix}`;
    this.current = { ...this.current, warning };
    void this.restart().then(() => this.setStatus({ watching: 'polling', available: this.current.available, warning }));
    // Files created while the watch was being replaced are found by a rescan.
    this.rescan.add('');
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    const now = Date.now();
    if (!this.debounce) this.firstEventAt = now;
    if (this.debounce) clearTimeout(this.debounce);
    const wait = Math.max(0, Math.min(this.options.debounceMs, this.firstEventAt + this.options.maxWaitMs - now));
    this.debounce = setTimeout(() => void this.flush(), wait);
  }

  private async flush(): Promise<void> {
    this.debounce = null;
    if (this.closed) return;
    const available = (await this.rootIdentity()) !== null;
    const batch: WatchBatch = { added: [], changed: [], skipped: [], removed: [], removedDirs: [], rescan: [...this.rescan] };
    for (const [path, { type, stats }] of this.pending) {
      if (type === 'unlink') {
        if (available) batch.removed.push(path);
        continue;
      }
      const rel = this.rel(path);
      const s = stats ?? (await stat(path).catch(() => null));
      if (!s || !s.isFile()) continue;
      const file: WatchedFile = { path, rel, size: s.size, mtimeMs: s.mtimeMs };
      const skip = this.rules.check(rel, { isDirectory: false, size: s.size });
      if (skip) batch.skipped.push({ ...file, ...skip });
      else (type === 'add' ? batch.added : batch.changed).push(file);
    }
    if (available) batch.removedDirs.push(...this.removedDirs);
    this.pending.clear();
    this.removedDirs.clear();
    this.rescan.clear();
    if (!available) await this.checkRoot();
    const empty = batch.added.length + batch.changed.length + batch.skipped.length + batch.removed.length + batch.removedDirs.length + batch.rescan.length === 0;
    if (!empty) this.options.onBatch(batch);
  }

  /** (dev, ino) of the folder, or null when it is not there. */
  private async rootIdentity(): Promise<string | null> {
    try {
      const s = await stat(this.rules.root);
      return s.isDirectory() ? `${s.dev}:${s.ino}` : null;
    } catch {
      return null;
    }
  }

  private async checkRoot(): Promise<void> {
    if (this.closed) return;
    const id = await this.rootIdentity();
    if (id === null && this.current.available) {
      this.rootId = null;
      const old = this.watcher;
      this.watcher = null;
      await old?.close();
      this.pending.clear();
      this.removedDirs.clear();
      this.setStatus({ watching: 'off', available: false, warning: this.current.warning });
    } else if (id !== null && (!this.current.available || (this.rootId !== null && id !== this.rootId))) {
      // Back (remounted, recreated): the old watches are dead; watch again and rescan everything.
      this.rootId = id;
      this.rules.dropRulesUnder('');
      this.rulesRead.clear();
      await this.rules.loadRulesIn('');
      await this.restart();
      this.rescan.add('');
      this.schedule();
    }
  }

  private setStatus(status: WatcherStatus): void {
    const changed = status.watching !== this.current.watching || status.available !== this.current.available || status.warning !== this.current.warning;
    this.current = status;
    if (changed && !this.closed) this.options.onStatus?.({ ...status });
  }
}
