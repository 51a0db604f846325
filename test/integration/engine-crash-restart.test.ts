/**
 * A restart in the middle of the queue: a child process indexes a folder and is SIGKILLed after some commits; the
 * next Engine resumes the durable queue. Nothing is lost (every file indexed) and nothing is indexed twice (each
 * file's passages are one set, ordinals 0..n-1, and the index holds exactly the passages the catalog lists).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../app/engine/index.js';
import { FIXTURE_V6, tempFolder } from '../unit/encoder-helpers.js';

const child = fileURLToPath(new URL('../helpers/engine-index-child.ts', import.meta.url));

describe('Engine crash and restart in the middle of the queue', () => {
  let root: Awaited<ReturnType<typeof tempFolder>>;
  let cache: Awaited<ReturnType<typeof tempFolder>>;
  before(async () => {
    root = await tempFolder('engine-crash-');
    cache = await tempFolder('engine-crash-onnx-');
  });
  after(async () => {
    await root.dispose();
    await cache.dispose();
  });

  it('resumes after SIGKILL with nothing lost and nothing indexed twice', async () => {
    const data = join(root.path, 'data');
    const folder = join(root.path, 'docs');
    mkdirSync(folder);
    const files = 48;
    for (let i = 0; i < files; i++) {
      const lines = Array.from({ length: 3 + (i % 3) * 8 }, (_, j) => `Document ${i} line ${j}: notes about subject ${(i * 7 + j) % 13}.`);
      writeFileSync(join(folder, `doc${String(i).padStart(3, '0')}.txt`), lines.join('\n') + '\n');
    }
    const proc = spawn(process.execPath, ['--import', 'tsx', child, data, folder, FIXTURE_V6, cache.path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('started') && resolve());
      void exited.then(() => reject(new Error(`child exited early: ${stderr}`)));
    });
    // Kill once some files are committed and others still pending (a reader watches the committed catalog).
    const reader = await Engine.open({ dataDir: data, model: FIXTURE_V6, onnxCacheDir: cache.path, env: {}, loadModel: false, readOnly: true });
    let killedMidQueue = false;
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      const status = await reader.status({});
      if (status.index.files.indexed > 0 && status.index.files.pending > 0) {
        proc.kill('SIGKILL');
        killedMidQueue = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await exited;
    await reader.close();
    assert.ok(killedMidQueue, `the child was killed with files indexed and pending (stderr: ${stderr})`);

    const engine = await Engine.open({ dataDir: data, model: FIXTURE_V6, onnxCacheDir: cache.path, env: {}, indexing: 'sync' });
    try {
      const pendingAtRestart = (await engine.status({})).index.files.pending;
      assert.ok(pendingAtRestart > 0, 'the queue survived the crash');
      await engine.whenIdle();
      const status = await engine.status({});
      assert.equal(status.index.files.indexed, files);
      assert.equal(status.index.files.pending, 0);
      const listed = await engine.listFiles({ limit: files });
      let passages = 0;
      for (const file of listed.files) {
        const { passages: own } = await engine.filePassages({ path: file.path });
        assert.deepEqual(own.map((p) => p.ordinal), own.map((_, i) => i), `${file.path}: one set of passages`);
        assert.equal(own.length, file.passageCount);
        passages += own.length;
      }
      assert.equal(status.index.passages, passages, 'the index holds exactly the catalog passages: none twice');
      const { hits } = await engine.search({ query: 'Document 42 notes', k: 3 });
      assert.ok(hits.length > 0);
    } finally {
      await engine.close();
    }
  });
});
