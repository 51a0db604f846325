/**
 * Changing the model in the settings: the index goes stale, the old model's index keeps answering while the new one
 * is built in the background, then it is swapped in; a reader in the same data folder notices the swap and follows.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../app/engine/index.js';
import { FIXTURE_V5, FIXTURE_V6, tempFolder } from '../unit/encoder-helpers.js';

describe('Engine model change', () => {
  let root: Awaited<ReturnType<typeof tempFolder>>;
  before(async () => {
    root = await tempFolder('engine-model-change-');
  });
  after(async () => {
    await root.dispose();
  });

  it('rebuilds with the new model in the background and swaps it in; a reader follows', async () => {
    const data = join(root.path, 'data');
    const docs = join(root.path, 'docs');
    mkdirSync(docs);
    mkdirSync(data);
    writeFileSync(join(docs, 'a.txt'), 'Stars form in clouds of gas and dust.\n');
    writeFileSync(join(docs, 'b.txt'), 'Copic markers use alcohol ink.\n');
    writeFileSync(join(data, 'settings.json'), JSON.stringify({ model: FIXTURE_V6 }));
    const env = { SPLADE_CACHE_DIR: join(root.path, 'onnx') };
    const engine = await Engine.open({ dataDir: data, env, indexing: 'sync' });
    const reader = await Engine.open({ dataDir: data, env, readOnly: true });
    try {
      await engine.addFolder({ path: docs });
      await engine.whenIdle();
      assert.equal((await engine.status({})).index.builtWith?.model, FIXTURE_V6);
      await engine.setSettings({ model: FIXTURE_V5 });
      const during = await engine.search({ query: 'how do stars form', k: 2 });
      assert.equal(during.stale, true);
      assert.equal(during.hits.length, 2, 'the old index answers meanwhile');
      await engine.whenRebuilt();
      const status = await engine.status({});
      assert.equal(status.index.stale, false);
      assert.equal(status.index.builtWith?.model, FIXTURE_V5);
      assert.equal(status.model.name, FIXTURE_V5);
      assert.equal(status.index.files.indexed, 2);
      const after = await engine.search({ query: 'how do stars form', k: 2 });
      assert.equal(after.stale, false);
      // Same weights in the v5 layout: the same scores.
      assert.ok(Math.abs(after.hits[0]!.score - during.hits[0]!.score) < 1e-5 * during.hits[0]!.score);
      const seen = await reader.status({});
      assert.equal(seen.index.builtWith?.model, FIXTURE_V5);
      assert.equal(seen.role, 'reader');
      assert.equal((await reader.search({ query: 'alcohol ink', k: 1 })).hits.length, 1);
    } finally {
      await reader.close();
      await engine.close();
    }
  });
});
