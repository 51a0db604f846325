/**
 * The engine process killed mid-indexing: main's EngineHost (with child_process.fork standing in for
 * utilityProcess, the real engine process entry and a real Engine on the tiny model inside) sees it die,
 * answers the calls in flight with 'closed', restarts it, and the restarted engine resumes indexing from the
 * index's last commit until every file is indexed once — nothing lost, nothing doubled.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Progress } from '../../app/engine/engine-types.js';
import { EngineHost, type EngineHostState } from '../../main/engine-host.js';
import { FIXTURE_V6, readExpected } from '../unit/encoder-helpers.js';
import { forkEngineChild } from '../helpers/fork-engine.js';

const FILES = 60;

describe('engine process killed mid-indexing', () => {
  let root: string;
  let host: EngineHost;
  const children: ChildProcess[] = [];
  const states: EngineHostState[] = [];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'engine-restart-'));
    const docs = join(root, 'docs');
    await mkdir(docs);
    const { texts } = await readExpected();
    for (let i = 0; i < FILES; i++) {
      await writeFile(join(docs, `note-${String(i).padStart(3, '0')}.txt`), `Note ${i}.\n\n${texts[i % texts.length]}\n\n${texts[(i * 7 + 3) % texts.length]}\n`);
    }
    host = new EngineHost({
      fork: () => forkEngineChild((child) => children.push(child)),
      open: { dataDir: join(root, 'data'), model: FIXTURE_V6, onnxCacheDir: join(root, 'onnx'), download: false },
      initialBackoffMs: 50,
      onState: (state) => states.push(state),
    });
  });

  after(async () => {
    await host?.close();
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  it('restarts the engine and finishes indexing with every file indexed exactly once', async () => {
    await host.start();
    const engine = host.engine();
    const docs = join(root, 'docs');

    // Kill the process once some files are committed and others still wait.
    let killedAt: Progress | null = null;
    const killed = new Promise<void>((resolve) => {
      const off = engine.on('progress', (progress) => {
        if (killedAt || progress.indexed < 3 || progress.queued === 0) return;
        killedAt = progress;
        off();
        children[0]!.kill('SIGKILL');
        resolve();
      });
    });
    await engine.addFolder({ path: docs });
    await killed;
    const freshStatus = new Promise((resolve) => {
      const off = engine.on('status', (status) => {
        off();
        resolve(status);
      });
    });
    await once(children[0]!, 'exit');
    assert.equal(host.state, 'restarting');
    assert.ok(killedAt!.queued > 0, 'killed while files were still queued');

    // A call made now waits for the restarted engine instead of failing.
    const folders = await engine.listFolders({});
    assert.deepEqual(folders.map((folder) => folder.path), [docs]);
    assert.equal(host.restarts, 1);
    assert.ok(states.includes('restarting'));
    assert.equal(children.length, 2);
    assert.equal(((await freshStatus) as { role: string }).role, 'writer', 'the restarted engine pushes its status');

    // Wait (event-driven, no clock) until the restarted engine reports the folder fully indexed.
    await new Promise<void>((resolve) => {
      const check = async () => {
        const [folder] = await engine.listFolders({});
        if (folder && folder.counts.indexed + folder.counts.skipped + folder.counts.failed === FILES && folder.counts.pending === 0) {
          off();
          resolve();
        }
      };
      const off = engine.on('progress', () => void check());
      void check();
    });

    const status = await engine.status({});
    assert.equal(status.index.files.indexed, FILES);
    assert.equal(status.index.files.failed, 0);
    const listed = await engine.listFiles({ folder: docs, limit: 1000 });
    assert.equal(listed.total, FILES);
    assert.equal(new Set(listed.files.map((file) => file.path)).size, FILES, 'each file once');
    const passages = listed.files.reduce((sum, file) => sum + file.passageCount, 0);
    assert.equal(status.index.passages, passages, 'no orphaned or doubled passages');
    const { hits } = await engine.search({ query: 'Note 0', k: 3 });
    assert.ok(hits.length > 0);
  });
});
