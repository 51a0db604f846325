/**
 * The Engine and the model: a Hub model missing from the cache is reported 'missing' (never fetched silently),
 * search answers 'model-not-ready', and `downloadModel` fetches it (loopback Hub) with download events, after which
 * the engine is ready and searches.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Engine, isEngineError, type DownloadProgress, type EngineStatus } from '../../app/engine/index.js';
import { PEFT_REPO, startHubServer, type HubServer } from '../helpers/hub-server.js';
import { tempFolder } from '../unit/encoder-helpers.js';

describe('Engine model download', () => {
  let server: HubServer;
  let root: Awaited<ReturnType<typeof tempFolder>>;
  before(async () => {
    server = await startHubServer();
    root = await tempFolder('engine-download-');
  });
  after(async () => {
    await server.close();
    await root.dispose();
  });

  it('reports a missing model, refuses to search, then downloads it with progress events and becomes ready', async () => {
    const env = { HF_ENDPOINT: server.endpoint, HF_HUB_CACHE: join(root.path, 'hub'), HF_HOME: join(root.path, 'home'), SPLADE_CACHE_DIR: join(root.path, 'onnx') };
    const engine = await Engine.open({ dataDir: join(root.path, 'data'), model: PEFT_REPO, env, indexing: 'off' });
    try {
      const downloads: DownloadProgress[] = [];
      const statuses: EngineStatus[] = [];
      engine.on('download', (progress) => downloads.push(progress));
      engine.on('status', (status) => statuses.push(status));
      await assert.rejects(engine.search({ query: 'stars' }), (error) => isEngineError(error, 'model-not-ready'));
      assert.equal((await engine.status({})).model.state, 'missing');
      assert.equal(server.fileDownloads().length, 0, 'nothing fetched without being asked');
      assert.deepEqual(await engine.downloadModel({}), { started: true });
      for (const deadline = Date.now() + 60_000; (await engine.status({})).model.state !== 'ready' && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const status = await engine.status({});
      assert.equal(status.model.state, 'ready');
      assert.ok(status.model.folder);
      assert.ok(downloads.some((event) => event.file !== null && event.bytes > 0));
      assert.ok(downloads.at(-1)!.done && downloads.at(-1)!.error === null);
      assert.ok(statuses.some((s) => s.model.state === 'downloading'));
      assert.equal((await engine.search({ query: 'stars' })).hits.length, 0);
      assert.deepEqual(await engine.downloadModel({}), { started: false });
    } finally {
      await engine.close();
    }
  });
});
