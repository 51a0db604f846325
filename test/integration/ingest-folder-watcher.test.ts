import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rename, rm, symlink, writeFile, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderWatcher, type WatchBatch, type WatcherStatus } from '../../app/ingest/folder-watcher.js';
import { FolderRules } from '../../app/ingest/ignore-rules.js';
import { pairRenames } from '../../app/ingest/rename-pairs.js';

let base: string;

/** Polls `check` until it returns true (bounded: fails after `ms`). */
async function waitFor(what: string, check: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A watcher on a fresh folder, recording batches and status changes. */
async function watched(name: string, setup: (root: string) => Promise<void> = async () => {}, options: { usePolling?: boolean; pollIntervalMs?: number } = {}) {
  const root = join(base, name);
  await mkdir(root, { recursive: true });
  await setup(root);
  const batches: WatchBatch[] = [];
  const statuses: WatcherStatus[] = [];
  const watcher = await FolderWatcher.start(new FolderRules(root, { maxFileBytes: 1000 }), {
    onBatch: (b) => batches.push(b),
    onStatus: (s) => statuses.push(s),
    debounceMs: 100,
    maxWaitMs: 1000,
    rootCheckMs: 100,
    writeStableMs: 50,
    ...options,
  });
  const all = () => {
    const out = { added: [] as string[], changed: [] as string[], removed: [] as string[], removedDirs: [] as string[], skipped: [] as string[], rescan: [] as string[] };
    for (const b of batches) {
      out.added.push(...b.added.map((f) => f.rel));
      out.changed.push(...b.changed.map((f) => f.rel));
      out.removed.push(...b.removed.map((p) => p.slice(root.length + 1)));
      out.removedDirs.push(...b.removedDirs.map((p) => p.slice(root.length + 1)));
      out.skipped.push(...b.skipped.map((f) => `${f.rel}:${f.code}`));
      out.rescan.push(...b.rescan);
    }
    return out;
  };
  return { root, watcher, batches, statuses, all, reset: () => batches.splice(0) };
}

describe('FolderWatcher (real fs events)', () => {
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'ingest-watch-'));
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('reports add, change, delete, rename and directory moves in debounced batches', async () => {
    const w = await watched('basic', async (root) => {
      await mkdir(join(root, 'a', 'b'), { recursive: true });
      await writeFile(join(root, 'a', 'one.md'), 'one');
      await writeFile(join(root, 'a', 'b', 'two.md'), 'two');
    });
    try {
      assert.equal(w.watcher.status.watching, 'events');
      await writeFile(join(w.root, 'new.md'), 'new');
      await waitFor('add new.md', () => w.all().added.includes('new.md'));
      await appendFile(join(w.root, 'a', 'one.md'), ' more');
      await appendFile(join(w.root, 'a', 'one.md'), ' and more');
      await waitFor('change one.md', () => w.all().changed.includes('a/one.md'));
      assert.equal(w.all().changed.filter((p) => p === 'a/one.md').length, 1, 'two quick appends are one change');
      w.reset();
      await rename(join(w.root, 'a', 'one.md'), join(w.root, 'a', 'uno.md'));
      await waitFor('rename', () => w.all().added.includes('a/uno.md') && w.all().removed.includes('a/one.md'));
      const batch = w.batches.find((b) => b.added.some((f) => f.rel === 'a/uno.md'))!;
      assert.ok(batch.removed.some((p) => p.endsWith('one.md')), 'rename arrives as removal + addition in one batch');
      w.reset();
      await rename(join(w.root, 'a', 'b'), join(w.root, 'b2'));
      await waitFor('dir move', () => w.all().removedDirs.includes('a/b') && w.all().added.includes('b2/two.md'));
      w.reset();
      await rm(join(w.root, 'new.md'));
      await waitFor('delete', () => w.all().removed.includes('new.md'));
      const odd = `it's "quoted" 📄 заметка 日本.md`;
      await writeFile(join(w.root, odd), 'x');
      await waitFor('odd name', () => w.all().added.includes(odd));
      await writeFile(join(w.root, 'big.md'), 'x'.repeat(2000));
      await waitFor('too large', () => w.all().skipped.includes('big.md:too-large'));
    } finally {
      await w.watcher.close();
    }
  });

  it('never watches skipped folders (node_modules, .git, gitignored at any depth) nor follows a symlink loop; a .gitignore change asks for a rescan', async () => {
    const w = await watched('rules', async (root) => {
      await mkdir(join(root, 'node_modules', 'pkg'), { recursive: true });
      await mkdir(join(root, '.git'), { recursive: true });
      await mkdir(join(root, 'docs', 'deep'), { recursive: true });
      await writeFile(join(root, '.gitignore'), 'ignored/\n');
      await writeFile(join(root, 'docs', 'deep', '.gitignore'), 'secret.md\n');
      await mkdir(join(root, 'ignored'));
      await symlink('..', join(root, 'docs', 'loop'));
    });
    try {
      assert.deepEqual(w.watcher.watchedDirectories(), ['', 'docs', 'docs/deep']);
      await writeFile(join(w.root, 'node_modules', 'pkg', 'x.md'), 'x');
      await writeFile(join(w.root, 'ignored', 'x.md'), 'x');
      await writeFile(join(w.root, 'docs', 'deep', 'secret.md'), 'x');
      await writeFile(join(w.root, 'docs', 'deep', 'seen.md'), 'x');
      await waitFor('seen.md', () => w.all().added.includes('docs/deep/seen.md'));
      assert.deepEqual(w.all().added, ['docs/deep/seen.md'], 'nothing from node_modules, ignored/, a nested .gitignore or through the loop');
      w.reset();
      await writeFile(join(w.root, '.gitignore'), 'docs/\n');
      await waitFor('rescan', () => w.all().rescan.includes(''));
      await waitFor('docs unwatched', () => !w.watcher.watchedDirectories().includes('docs'));
      assert.ok(w.watcher.watchedDirectories().includes('ignored'), 'ignored/ is watched once the rule is gone');
    } finally {
      await w.watcher.close();
    }
  });

  it('the watch limit (ENOSPC) switches to polling with a warning, and changes are still seen', async () => {
    const w = await watched('limit', async () => {}, { pollIntervalMs: 100 });
    try {
      // The limit is per user and shared by every program here: lowering it would disturb them, so the error
      // chokidar emits when inotify_add_watch fails with ENOSPC is delivered to the real watcher instead.
      const error = Object.assign(new Error('ENOSPC: System limit for number of file watchers reached, watch'), { code: 'ENOSPC', errno: -28 });
      (w.watcher as unknown as { watcher: { emit: (e: string, x: unknown) => void } }).watcher.emit('error', error);
      await waitFor('polling', () => w.watcher.status.watching === 'polling');
      assert.match(w.watcher.status.warning!, /checked every 0\.1 s because the system limit on watched files \(inotify max_user_watches\) is reached\. .*sysctl fs\.inotify\.max_user_watches=524288/);
      assert.equal(w.statuses.at(-1)!.watching, 'polling');
      await waitFor('rescan after switching', () => w.all().rescan.includes(''));
      await writeFile(join(w.root, 'polled.md'), 'x');
      await waitFor('polled add', () => w.all().added.includes('polled.md'));
    } finally {
      await w.watcher.close();
    }
  });

  it('detects the folder disappearing (files unavailable, not deleted) and coming back (rescan)', async () => {
    const w = await watched('root', async (root) => {
      await writeFile(join(root, 'a.md'), 'a');
    });
    const moved = join(base, 'root-away');
    try {
      await rename(w.root, moved);
      await waitFor('unavailable', () => w.watcher.status.available === false);
      assert.equal(w.watcher.status.watching, 'off');
      assert.deepEqual(w.all().removed, [], 'no removals reported for a vanished folder');
      w.reset();
      await rename(moved, w.root);
      await waitFor('available', () => w.watcher.status.available && w.watcher.status.watching === 'events');
      await waitFor('rescan', () => w.all().rescan.includes(''));
      await writeFile(join(w.root, 'b.md'), 'b');
      await waitFor('events again', () => w.all().added.includes('b.md'));
    } finally {
      await w.watcher.close();
    }
  });
});

describe('pairRenames', () => {
  it('pairs by size and mtime, leaving ambiguous ones', () => {
    const f = (path: string, size: number, mtimeMs: number) => ({ path, size, mtimeMs });
    assert.deepEqual(
      pairRenames([f('/a', 10, 1000), f('/b', 20, 2000), f('/c', 20, 2000)], [f('/a2', 10, 1000.4), f('/x', 20, 2000), f('/y', 30, 1)]),
      [{ from: '/a', to: '/a2' }],
    );
  });
});
