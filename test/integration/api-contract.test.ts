/**
 * One contract suite, run against the two transports of the API — Electron IPC (main's handlers through the fake
 * boundary, the real preload bridge) and serve mode (loopback HTTP + WebSocket) — each around a real Engine on
 * the tiny fixture model. Every step's result must be right on its own and equal on both transports (after
 * replacing each fixture's temporary folder and dropping timings and timestamps).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { METHOD_NAMES, SHELL_METHOD_NAMES, type Api, type PayloadOf } from '../../app/api/api-contract.js';
import { isApiError } from '../../app/api/api-reply.js';
import { createApiFixture, type ApiFixture } from '../helpers/api-fixture.js';
import { startApiHost, type ApiHost, type HostKind } from '../helpers/api-hosts.js';

type Step = { name: string; run(host: ApiHost, fixture: ApiFixture): Promise<unknown> };

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isApiError(error), `an ApiError, got ${String(error)}`);
    return { code: error.code, message: error.message };
  }
  assert.fail('expected the call to fail');
}

function nextEvent<E extends 'folders' | 'status' | 'progress'>(api: Api, event: E, accept: (payload: PayloadOf<E>) => boolean): Promise<PayloadOf<E>> {
  return new Promise((resolve) => {
    const off = api.on(event, (payload) => {
      if (!accept(payload)) return;
      off();
      resolve(payload);
    });
  });
}

const steps: Step[] = [
  {
    name: 'search ranks as the model does, with terms and highlights',
    async run({ api }, fixture) {
      const response = await api.search({ query: fixture.expected.queries[0]!, k: 3 });
      assert.equal(response.hits.length, 3);
      const best = fixture.expected.similarity[0]!.indexOf(Math.max(...fixture.expected.similarity[0]!));
      assert.equal(response.hits[0]!.file.path, fixture.files[best]);
      for (const hit of response.hits) assert.ok(Math.abs(hit.terms.reduce((s, t) => s + t.contribution, 0) + hit.otherTerms.contribution - hit.score) < 1e-5);
      const capped = await api.search({ query: fixture.expected.queries[0]!, k: 3, termsPerHit: 3 });
      for (const hit of capped.hits) assert.ok(hit.terms.length <= 3 && hit.otherTerms.count > 0);
      return response;
    },
  },
  {
    name: "one hit's terms in full, equal to its entry in the search, and for more like this",
    async run({ api }, fixture) {
      const query = fixture.expected.queries[0]!;
      const response = await api.search({ query: `${query} -zzzz`, k: 2, termsPerHit: 2 });
      const hit = response.hits[0]!;
      const detail = await api.hitTerms({ query: `${query} -zzzz`, passageId: hit.passage.id });
      assert.equal(detail.score, hit.score);
      assert.deepEqual(detail.terms.slice(0, 2), hit.terms);
      // Every shared term up to the most a response lists (1,024; the dense fixture model shares more).
      const shared = hit.terms.length + hit.otherTerms.count;
      assert.equal(detail.terms.length, Math.min(shared, 1024));
      assert.equal(detail.otherTerms.count, shared - detail.terms.length);
      assert.ok(Math.abs(detail.terms.reduce((sum, term) => sum + term.contribution, 0) + detail.otherTerms.contribution - detail.score) < 1e-5);
      const similar = await api.moreLikeThis({ passageId: hit.passage.id, k: 1, termsPerHit: 1 });
      const other = similar.hits[0]!;
      const like = await api.hitTerms({ likePassageId: hit.passage.id, passageId: other.passage.id, limit: 3 });
      assert.equal(like.score, other.score);
      assert.deepEqual(like.terms[0], other.terms[0]);
      assert.equal(like.terms.length, 3);
      assert.equal(like.otherTerms.count + 3, other.terms.length + other.otherTerms.count);
      const errors = [
        await errorOf(api.hitTerms({ passageId: hit.passage.id })),
        await errorOf(api.hitTerms({ passageId: hit.passage.id, query, likePassageId: other.passage.id })),
        await errorOf(api.hitTerms({ passageId: hit.passage.id, query: '-only ext:md' })),
        await errorOf(api.hitTerms({ passageId: 987_654, query })),
        await errorOf(api.hitTerms({ passageId: hit.passage.id, likePassageId: 987_654 })),
      ];
      assert.deepEqual(errors.map((e) => e.code), ['invalid-request', 'invalid-request', 'invalid-request', 'not-found', 'not-found']);
      return { detail, like, errors };
    },
  },
  {
    name: 'search applies the query syntax and filters',
    async run({ api }, fixture) {
      const response = await api.search({ query: 'stars', k: 12, filters: { folders: [fixture.folders.odd] } });
      assert.ok(response.hits.length > 0 && response.hits.every((hit) => hit.file.folder === fixture.folders.odd));
      return response.hits.map((hit) => hit.file.path);
    },
  },
  {
    name: 'explain compares two texts',
    async run({ api }, fixture) {
      const response = await api.explain({ text: fixture.expected.queries[0]!, compareWith: fixture.expected.texts[1]!, topK: 5 });
      assert.equal(response.query.terms.length, 5);
      assert.ok(Math.abs(response.comparison!.score - fixture.expected.similarity[0]![1]!) < 1e-4);
      return response;
    },
  },
  {
    name: "a file's passages, then more like one of them",
    async run({ api }, fixture) {
      const passages = await api.filePassages({ path: fixture.files[6]! });
      assert.equal(passages.passages.length, 1);
      const more = await api.moreLikeThis({ passageId: passages.passages[0]!.id, k: 3 });
      assert.ok(more.hits.every((hit) => hit.passage.id !== passages.passages[0]!.id));
      return { passages, more };
    },
  },
  {
    name: 'files by status and folders with counts',
    async run({ api }, fixture) {
      const files = await api.listFiles({ status: 'indexed', folder: fixture.folders.odd, limit: 2 });
      assert.equal(files.total, 6);
      assert.equal(files.files.length, 2);
      const folders = await api.listFolders({});
      assert.deepEqual(folders.map((f) => [f.path, f.counts.indexed]), [[fixture.folders.even, 6], [fixture.folders.odd, 6]]);
      return { files, folders };
    },
  },
  {
    name: 'add, pause, resume and remove a folder, with a folders event',
    async run({ api, eventsReady }, fixture) {
      const event = nextEvent(api, 'folders', (list) => list.some((f) => f.path === fixture.folders.spare));
      await eventsReady();
      const added = await api.addFolder({ path: fixture.folders.spare });
      assert.equal(added.path, fixture.folders.spare);
      const pushed = await event;
      const paused = await api.pauseFolder({ path: fixture.folders.spare });
      assert.equal(paused.paused, true);
      const resumed = await api.resumeFolder({ path: fixture.folders.spare });
      assert.equal(resumed.paused, false);
      const removed = await api.removeFolder({ path: fixture.folders.spare });
      return { added, pushed, paused, resumed, removed };
    },
  },
  {
    name: 'settings get and set',
    async run({ api }) {
      const before = await api.getSettings({});
      const changed = await api.setSettings({ theme: 'dark', ignorePatterns: ['*.log'] });
      assert.equal(changed.theme, 'dark');
      assert.deepEqual((await api.getSettings({})).ignorePatterns, ['*.log']);
      return { before, changed };
    },
  },
  {
    name: 'engine status, indexing pause and resume, model download',
    async run({ api }) {
      const status = await api.status({});
      assert.equal(status.model.state, 'ready');
      assert.equal(status.index.passages, 12);
      assert.ok(status.encoder?.provider);
      const paused = await api.pauseIndexing({});
      assert.equal(paused.phase, 'paused');
      const resumed = await api.resumeIndexing({});
      const download = await api.downloadModel({});
      assert.deepEqual(download, { started: false }, 'the model is already loaded');
      return { index: status.index, role: status.role, model: status.model, paused, resumed, download };
    },
  },
  {
    name: 'open and reveal an indexed file; refuse a path outside the index',
    async run(host, fixture) {
      const opened = await host.api.openFile({ path: fixture.files[2]!, page: 1 });
      const revealed = await host.api.revealFile({ path: fixture.files[3]! });
      assert.deepEqual(host.opened, [fixture.files[2]]);
      assert.ok(host.revealed[0] === fixture.files[3] || host.revealed[0] === dirname(fixture.files[3]!));
      const outside = await errorOf(host.api.openFile({ path: '/etc/passwd' }));
      const traversal = await errorOf(host.api.revealFile({ path: `${fixture.folders.even}/../../../etc/passwd` }));
      const folder = await errorOf(host.api.openFile({ path: fixture.folders.even }));
      assert.equal(host.opened.length, 1, 'nothing else was opened');
      assert.equal(host.revealed.length, 1, 'nothing else was revealed');
      return { opened, revealed, outside: outside.code, traversal: traversal.code, folder: folder.code };
    },
  },
  {
    name: 'typed errors: invalid parameters, unknown method, unknown path',
    async run({ api, transport }) {
      const invalid = await errorOf(api.search({ query: 'x', k: 0 }));
      assert.match(invalid.message, /k/);
      const unknownKey = await errorOf(api.search({ query: 'x', extra: 1 } as never));
      const unknown = await transport.call('noSuchMethod' as never, {});
      assert.equal(unknown.ok, false);
      const missing = await errorOf(api.filePassages({ path: '/nope/x.txt' }));
      const badMode = await errorOf(api.search({ query: 'x', mode: 'fuzzy' as never }));
      return { invalid: invalid.code, unknownKey: unknownKey.code, unknown: !unknown.ok && unknown.error.code, missing: missing.code, badMode: badMode.code };
    },
  },
  {
    name: 'the engine still answers after all that',
    async run({ api }) {
      return (await api.listFolders({})).length;
    },
  },
];

function normalize(value: unknown, root: string): unknown {
  return JSON.parse(JSON.stringify(value).split(root).join('<root>'), (key, v) => {
    if (['addedMs', 'updatedMs', 'timings', 'dataDir', 'mtimeMs', 'passagesPerSecond', 'etaSeconds'].includes(key)) return undefined;
    if (typeof v === 'number' && !Number.isInteger(v)) return Number(v.toPrecision(6));
    return v;
  });
}

describe('the API contract over IPC and over serve mode', () => {
  const results: Record<HostKind, unknown[]> = { ipc: [], serve: [] };

  for (const kind of ['ipc', 'serve'] as const) {
    describe(`over ${kind}`, () => {
      let fixture: ApiFixture;
      let host: ApiHost;
      before(async () => {
        fixture = await createApiFixture();
        host = await startApiHost(kind, fixture);
      });
      after(async () => {
        await host?.close();
        await fixture?.dispose();
      });
      it('exposes every method of the contract', () => {
        assert.deepEqual(Object.keys(host.api).filter((key) => key !== 'on').sort(), [...METHOD_NAMES].sort());
      });
      for (const step of steps) {
        it(step.name, async () => {
          results[kind].push(normalize({ step: step.name, result: await step.run(host, fixture) }, fixture.root));
        });
      }
      it('answers hostInfo and pickFolder as its host', async () => {
        const info = await host.api.hostInfo({});
        assert.equal(info.host, kind === 'ipc' ? 'electron' : 'serve');
        assert.deepEqual(await host.api.pickFolder({}), { path: kind === 'ipc' ? fixture.folders.spare : null });
        assert.ok(SHELL_METHOD_NAMES.includes('pickFolder'));
      });
    });
  }

  it('gives the same results over both transports', () => {
    assert.equal(results.ipc.length, steps.length);
    assert.equal(results.serve.length, steps.length);
    for (let i = 0; i < steps.length; i++) assert.deepEqual(results.serve[i], results.ipc[i], steps[i]!.name);
  });
});
