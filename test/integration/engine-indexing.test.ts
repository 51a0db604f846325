/**
 * The Engine indexing real temporary folders with real file-system events (chokidar) and the tiny model: initial
 * scan, add, edit, delete, rename, move across folders, create-and-delete bursts, a folder removed while indexing,
 * a folder that vanishes from disk, and changes made while nothing was running.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../app/engine/index.js';
import type { FileEntry } from '../../app/engine/index.js';
import { FIXTURE_V6, tempFolder } from '../unit/encoder-helpers.js';

/** Waits (polling) until `check` holds; fails with `what` after a generous limit. Not a timing assertion. */
async function waitFor(what: string, check: () => Promise<boolean>, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

const paragraph = (topic: string, n: number) =>
  Array.from({ length: n }, (_, i) => `Line ${i + 1} tells about ${topic}, sentence number ${i + 1} of ${n}.`).join('\n') + '\n';

describe('Engine indexing real folders', () => {
  let root: Awaited<ReturnType<typeof tempFolder>>;
  let cache: Awaited<ReturnType<typeof tempFolder>>;
  let data: string;
  let a: string;
  let b: string;
  let engine: Engine;
  const open = () => Engine.open({ dataDir: data, model: FIXTURE_V6, onnxCacheDir: cache.path, env: {}, indexing: 'watch' });
  const file = async (path: string): Promise<FileEntry | undefined> => (await engine.listFiles({})).files.find((f) => f.path === path);

  before(async () => {
    root = await tempFolder('engine-indexing-');
    cache = await tempFolder('engine-indexing-onnx-');
    data = join(root.path, 'data');
    a = join(root.path, 'a');
    b = join(root.path, 'b');
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(join(a, 'stars.md'), '# Stars\n\nStars form in clouds of gas and dust.\n\n## Death\n\nMassive stars end as supernovae.\n');
    writeFileSync(join(a, 'notes.txt'), paragraph('sinus infections and doxycycline', 60));
    writeFileSync(join(a, '.gitignore'), '*.log\n');
    writeFileSync(join(a, 'debug.log'), 'ignored\n');
    writeFileSync(join(a, 'blob.txt'), Buffer.from([0, 1, 2, 3, 0, 0, 5, 6]));
    writeFileSync(join(b, 'ink.txt'), 'Copic ink is alcohol-based and flammable.\n');
    engine = await open();
    await engine.addFolder({ path: a });
    await engine.addFolder({ path: b });
    await engine.whenIdle();
  });

  after(async () => {
    await engine?.close();
    await root.dispose();
    await cache.dispose();
  });

  it('indexes the folders, skipping ignored and binary files with their reasons', async () => {
    const files = (await engine.listFiles({})).files;
    const status = Object.fromEntries(files.map((f) => [f.path.slice(root.path.length), [f.status, f.reasonCode]]));
    assert.deepEqual(status['/a/stars.md'], ['indexed', null]);
    assert.deepEqual(status['/a/notes.txt'], ['indexed', null]);
    assert.deepEqual(status['/b/ink.txt'], ['indexed', null]);
    assert.equal(status['/a/blob.txt']?.[0], 'skipped');
    assert.equal(status['/a/blob.txt']?.[1], 'binary');
    assert.equal(status['/a/debug.log']?.[0], 'skipped');
    const notes = await engine.filePassages({ path: join(a, 'notes.txt') });
    assert.ok(notes.passages.length > 1, 'a long file is split into several passages');
    const text = paragraph('sinus infections and doxycycline', 60);
    for (const passage of notes.passages) {
      assert.equal(text.slice(passage.start, passage.end), passage.text);
      assert.equal(passage.line, text.slice(0, passage.start).split('\n').length);
    }
    const status2 = await engine.status({});
    assert.equal(status2.index.builtWith?.model, FIXTURE_V6);
    assert.equal(status2.index.stale, false);
  });

  it('picks up an added file, then its edit, then its deletion', async () => {
    const path = join(a, 'new.txt');
    writeFileSync(path, 'Cocktail dress codes call for knee-length dresses.\n');
    await waitFor('new.txt indexed', async () => (await file(path))?.status === 'indexed');
    appendFileSync(path, 'High heels are expected too.\n');
    await waitFor('new.txt re-indexed with the edit', async () => {
      const passages = (await engine.filePassages({ path }).catch(() => undefined))?.passages ?? [];
      return passages.some((p) => p.text.includes('High heels'));
    });
    unlinkSync(path);
    await waitFor('new.txt gone', async () => (await file(path)) === undefined);
  });

  it('re-points a renamed file and a file moved to another folder without re-encoding them', async () => {
    const before = await engine.filePassages({ path: join(a, 'stars.md') });
    renameSync(join(a, 'stars.md'), join(a, 'astronomy.md'));
    await waitFor('astronomy.md indexed', async () => (await file(join(a, 'astronomy.md')))?.status === 'indexed' && (await file(join(a, 'stars.md'))) === undefined);
    const renamed = await engine.filePassages({ path: join(a, 'astronomy.md') });
    assert.deepEqual(renamed.passages.map((p) => p.id), before.passages.map((p) => p.id), 'same passages: re-pointed, not re-encoded');
    renameSync(join(a, 'astronomy.md'), join(b, 'astronomy.md'));
    await waitFor('astronomy.md moved to b', async () => (await file(join(b, 'astronomy.md')))?.status === 'indexed' && (await file(join(a, 'astronomy.md'))) === undefined);
    const moved = await engine.filePassages({ path: join(b, 'astronomy.md') });
    assert.equal(moved.file.folder, b);
    assert.deepEqual(moved.passages.map((p) => p.id), before.passages.map((p) => p.id));
    const { hits } = await engine.search({ query: 'how do stars form? "clouds of gas"', k: 1, filters: { folders: [b] } });
    assert.equal(hits[0]?.file.path, join(b, 'astronomy.md'));
  });

  it('survives a burst of files created and deleted at once: none of them stays', async () => {
    const burst = join(a, 'burst');
    mkdirSync(burst);
    for (let i = 0; i < 40; i++) writeFileSync(join(burst, `f${i}.txt`), `burst file ${i}\n`);
    for (let i = 0; i < 40; i++) unlinkSync(join(burst, `f${i}.txt`));
    rmSync(burst, { recursive: true });
    writeFileSync(join(a, 'marker.txt'), 'after the burst\n');
    await waitFor('marker indexed', async () => (await file(join(a, 'marker.txt')))?.status === 'indexed');
    await engine.whenIdle();
    const left = (await engine.listFiles({})).files.filter((f) => f.path.includes('/burst/'));
    assert.deepEqual(left, []);
    assert.equal((await engine.listFiles({ status: 'failed' })).total, 0);
  });

  it('drops a folder removed while its files are being indexed, and indexes none of them later', async () => {
    const c = join(root.path, 'c');
    mkdirSync(c);
    for (let i = 0; i < 30; i++) writeFileSync(join(c, `doc${i}.txt`), paragraph(`topic ${i}`, 20));
    await engine.addFolder({ path: c });
    await waitFor('indexing of c started', async () => (await engine.listFiles({ folder: c })).total > 0);
    await engine.removeFolder({ path: c });
    await engine.whenIdle();
    assert.equal((await engine.listFiles({ folder: c })).total, 0);
    assert.ok(!(await engine.listFolders({})).some((folder) => folder.path === c));
    assert.equal((await engine.search({ query: 'topic 3', k: 50 })).hits.filter((hit) => hit.file.path.startsWith(c)).length, 0);
  });

  it('marks the files of a folder that vanished unavailable, keeping them searchable', async () => {
    const d = join(root.path, 'drive');
    mkdirSync(d);
    writeFileSync(join(d, 'ink2.txt'), 'Copic markers use alcohol ink.\n');
    await engine.addFolder({ path: d });
    await waitFor('ink2 indexed', async () => (await file(join(d, 'ink2.txt')))?.status === 'indexed');
    rmSync(d, { recursive: true });
    await waitFor('drive files unavailable', async () => (await file(join(d, 'ink2.txt')))?.status === 'unavailable');
    const folder = (await engine.listFolders({})).find((f) => f.path === d)!;
    assert.equal(folder.available, false);
    const { hits } = await engine.search({ query: 'are copic markers alcohol ink?', k: 5, filters: { folders: [d] } });
    assert.equal(hits[0]?.file.path, join(d, 'ink2.txt'));
    assert.equal(hits[0]?.file.status, 'unavailable');
  });

  it('pauses indexing (changes stay queued) and resumes it', async () => {
    const paused = await engine.pauseIndexing({});
    assert.equal(paused.phase, 'paused');
    const path = join(b, 'queued.txt');
    writeFileSync(path, 'Queued while paused.\n');
    await waitFor('queued.txt pending', async () => (await file(path))?.status === 'pending');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal((await file(path))?.status, 'pending');
    await engine.resumeIndexing({});
    await waitFor('queued.txt indexed after resume', async () => (await file(path))?.status === 'indexed');
  });

  it('catches up at start with changes made while nothing was running', async () => {
    await engine.close();
    writeFileSync(join(b, 'ink.txt'), 'Copic ink is alcohol-based. Keep it away from sunlight.\n');
    writeFileSync(join(b, 'offline.txt'), 'Written while the engine was closed.\n');
    unlinkSync(join(a, 'marker.txt'));
    engine = await open();
    await engine.whenIdle();
    assert.equal((await file(join(b, 'offline.txt')))?.status, 'indexed');
    assert.equal(await file(join(a, 'marker.txt')), undefined);
    const ink = await engine.filePassages({ path: join(b, 'ink.txt') });
    assert.match(ink.passages[0]!.text, /sunlight/);
  });
});
