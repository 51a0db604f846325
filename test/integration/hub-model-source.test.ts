import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModelSourceResolver, resolveModelSource, resolveModelWithBase, type SnapshotOptions } from '../../app/hub/index.js';
import { BASE_REPO, DEV_COMMIT, FIXTURE_DIR, MAIN_COMMIT, PEFT_REPO, startHubServer, type HubServer } from '../helpers/hub-server.js';

let server: HubServer;
before(async () => {
  server = await startHubServer();
});
after(async () => {
  await server.close();
});

async function options(): Promise<SnapshotOptions> {
  const cache = await mkdtemp(join(tmpdir(), 'hub-source-'));
  return { env: { HF_ENDPOINT: server.endpoint, HF_HUB_CACHE: cache, HF_HOME: join(cache, 'home') }, retry: { retries: 1, baseDelayMs: 1 } };
}

describe('resolving model sources to folders', () => {
  it('returns a folder as is and downloads a Hub id', async () => {
    const opts = await options();
    assert.equal(await resolveModelSource(join(FIXTURE_DIR, 'base'), opts), join(FIXTURE_DIR, 'base'));
    const folder = await resolveModelSource(BASE_REPO, opts);
    assert.ok(folder.endsWith(join('models--test-org--splade-tiny-base', 'snapshots', MAIN_COMMIT)), folder);
  });

  it('gives the encoder an injectable resolver with a per-call revision', async () => {
    const resolve = createModelSourceResolver(await options());
    assert.match(await resolve(BASE_REPO), new RegExp(`${MAIN_COMMIT}$`));
    assert.match(await resolve(BASE_REPO, { revision: 'dev' }), new RegExp(`${DEV_COMMIT}$`));
    // a base model given as a path relative to the adapter folder, as in the fixture's adapter_config.json
    assert.equal(await resolve('../base', { relativeTo: join(FIXTURE_DIR, 'splade-peft') }), join(FIXTURE_DIR, 'base'));
  });

  it('fetches the base model a Hub adapter names', async () => {
    const { model, base } = await resolveModelWithBase({ kind: 'hub', id: PEFT_REPO, origin: 'option' }, await options());
    assert.equal(model.snapshot?.repoId, PEFT_REPO);
    assert.equal(base?.source, BASE_REPO);
    assert.equal(base?.snapshot?.commit, MAIN_COMMIT);
    assert.ok(base?.folder.includes('models--test-org--splade-tiny-base'), base?.folder);
  });

  it('takes a relative base path of a local adapter folder relative to that folder, with no network', async () => {
    const before = server.requests.length;
    const { model, base } = await resolveModelWithBase({ kind: 'folder', path: join(FIXTURE_DIR, 'splade-peft'), origin: 'option' }, await options());
    assert.equal(model.folder, join(FIXTURE_DIR, 'splade-peft'));
    assert.equal(base?.folder, join(FIXTURE_DIR, 'base'));
    assert.equal(server.requests.length, before);
  });

  it('has no base for a plain model', async () => {
    const { base } = await resolveModelWithBase({ kind: 'hub', id: BASE_REPO, origin: 'default' }, await options());
    assert.equal(base, undefined);
  });
});
