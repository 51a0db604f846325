/**
 * `folders` (and `status`) events while the real Engine indexes a real folder with the tiny model: counts arrive as files are
 * indexed and once more when the queue goes idle, so a view listening to the events alone ends with the same counts
 * as `listFolders` (the renderer no longer refetches); the events are coalesced (at most one per 250 ms after the
 * first of a burst).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, type EngineStatus, type FolderEntry } from '../../app/engine/index.js';
import { FIXTURE_V6, tempFolder } from '../helpers/encoder-helpers.js';

/** Waits (polling) until `check` holds; fails with `what` after a generous limit. Not a timing assertion. */
async function waitFor(what: string, check: () => boolean, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

describe('Engine folders events', () => {
  let root: Awaited<ReturnType<typeof tempFolder>>;
  let cache: Awaited<ReturnType<typeof tempFolder>>;
  let engine: Engine;
  let folder: string;
  const events: { at: number; folders: FolderEntry[] }[] = [];
  const statuses: EngineStatus[] = [];
  const last = () => events[events.length - 1]?.folders.find((entry) => entry.path === folder)?.counts;

  before(async () => {
    root = await tempFolder('engine-folders-events-');
    cache = await tempFolder('engine-folders-events-onnx-');
    folder = join(root.path, 'notes');
    mkdirSync(folder);
    for (let i = 0; i < 12; i++) writeFileSync(join(folder, `note-${i}.txt`), `Note ${i} is about topic number ${i}, stars and bread and volcanoes.\n`);
    engine = await Engine.open({ dataDir: join(root.path, 'data'), model: FIXTURE_V6, onnxCacheDir: cache.path, env: {}, indexing: 'watch', batchSize: 4 });
    engine.on('folders', (folders) => events.push({ at: Date.now(), folders }));
    engine.on('status', (status) => statuses.push(status));
  });

  after(async () => {
    await engine?.close();
    await root.dispose();
    await cache.dispose();
  });

  it('ends an indexing pass with the final per-folder counts, without a refetch', async () => {
    await engine.addFolder({ path: folder });
    await engine.whenIdle();
    await waitFor('a folders event with every file indexed', () => last()?.indexed === 12);
    const listed = (await engine.listFolders({})).find((entry) => entry.path === folder)!;
    assert.deepEqual(last(), listed.counts);
    assert.equal(listed.counts.pending, 0);
    // The status event (index totals) comes with it.
    const status = await engine.status({});
    await waitFor('a status event with the final totals', () => statuses[statuses.length - 1]?.index.passages === status.index.passages);
    assert.deepEqual(statuses[statuses.length - 1]!.index.files, status.index.files);
    // Coalesced: after the first event of a burst, the next ones are at least ~250 ms apart.
    for (let i = 2; i < events.length; i++) assert.ok(events[i]!.at - events[i - 2]!.at >= 200, `events at ${events.map((e) => e.at - events[0]!.at).join(', ')} ms`);
  });

  it('sends the new counts when a file added later is indexed', async () => {
    writeFileSync(join(folder, 'late.txt'), 'A late note about glaciers grinding rock.\n');
    await waitFor('a folders event counting the new file', () => last()?.indexed === 13);
    assert.deepEqual(last(), (await engine.listFolders({})).find((entry) => entry.path === folder)!.counts);
  });
});
