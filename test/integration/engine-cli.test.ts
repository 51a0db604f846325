/** The CLI commands that drive the Engine, in process, on a data folder holding the fixture passages. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliCaptured } from '../helpers/run-cli.js';
import { fixtureDocPath, makeFixtureDataDir } from '../helpers/engine-fixture.js';
import { FIXTURE_V6, readExpected, tempFolder } from '../unit/encoder-helpers.js';

describe('CLI over the Engine: search, files, folders, status', () => {
  let data: Awaited<ReturnType<typeof tempFolder>>;
  let cache: Awaited<ReturnType<typeof tempFolder>>;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    data = await tempFolder('engine-cli-data-');
    cache = await tempFolder('engine-cli-onnx-');
    await makeFixtureDataDir(data.path, cache.path);
    env = { SPLADE_DATA_DIR: data.path, SPLADE_CACHE_DIR: cache.path, HF_HUB_OFFLINE: '1', HOME: data.path };
  });
  after(async () => {
    await data.dispose();
    await cache.dispose();
  });

  it('search --json prints query_terms and results with path, score, range, line, text and terms', async () => {
    const expected = await readExpected();
    const result = await runCliCaptured(['search', expected.queries[2]!, '--k', '3', '--json'], { env });
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as { query_terms: { term: string }[]; results: { path: string; score: number; start: number; end: number; line: number; page: null; text: string; terms: unknown[] }[] };
    assert.ok(out.query_terms.length > 0);
    assert.equal(out.results.length, 3);
    const scores = expected.similarity[2]!;
    const best = scores.indexOf(Math.max(...scores));
    assert.equal(out.results[0]!.path, fixtureDocPath(best));
    assert.ok(Math.abs(out.results[0]!.score - scores[best]!) < 1e-5 * scores[best]!);
    assert.equal(out.results[0]!.line, 1);
    assert.equal(out.results[0]!.page, null);
    assert.equal(out.results[0]!.end - out.results[0]!.start, out.results[0]!.text.length);
    const text = await runCliCaptured(['search', 'stars', 'ext:md'], { env });
    assert.match(text.stdout, /^ 1\. \d+\.\d{4} {2}\/docs\/odd\/d5\.md:1$/m);
  });

  it('files lists every file with its status, filtered by --status', async () => {
    const all = await runCliCaptured(['files', '--json'], { env });
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout.trim().split('\n').length, 12);
    const failed = await runCliCaptured(['files', '--status', 'failed'], { env });
    assert.equal(failed.stdout, '');
    assert.equal((await runCliCaptured(['files', '--status', 'nope'], { env })).code, 2);
  });

  it('folders add|list|remove and status with the index', async () => {
    const folder = join(data.path, 'notes');
    mkdirSync(folder);
    const added = await runCliCaptured(['folders', 'add', folder], { env });
    assert.equal(added.code, 0, added.stderr);
    const listed = await runCliCaptured(['folders', 'list', '--json'], { env });
    assert.deepEqual((JSON.parse(listed.stdout) as { path: string }[]).map((f) => f.path), ['/docs/even', '/docs/odd', folder]);
    const missing = await runCliCaptured(['folders', 'add', join(data.path, 'missing')], { env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /does not exist/);
    assert.equal((await runCliCaptured(['folders', 'remove', folder], { env })).code, 0);
    const status = await runCliCaptured(['status', '--json', '--model', FIXTURE_V6, '--device', 'cpu'], { env });
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout) as { index: { folders: number; passages: number; stale: boolean; builtWith: { model: string } } };
    assert.equal(report.index.folders, 2);
    assert.equal(report.index.passages, 12);
    assert.equal(report.index.stale, false);
    assert.equal(report.index.builtWith.model, FIXTURE_V6);
  });

  it('index adds folders, syncs them and prints a summary with counts per reason (exit 0 with failed files)', async () => {
    const fresh = await tempFolder('engine-cli-index-');
    try {
      const folder = join(fresh.path, 'docs');
      mkdirSync(folder);
      writeFileSync(join(folder, 'a.md'), '# Title\n\nSome text about stars.\n');
      writeFileSync(join(folder, 'b.txt'), 'More text.\n');
      writeFileSync(join(folder, 'c.exe'), 'not indexed');
      writeFileSync(join(folder, 'broken.pdf'), 'this is not a pdf');
      const run = await runCliCaptured(['index', folder, '--model', FIXTURE_V6, '--json', '--data', join(fresh.path, 'data')], { env });
      assert.equal(run.code, 0, run.stderr);
      const summary = JSON.parse(run.stdout) as { files: Record<string, number>; reasons: { skipped: Record<string, number>; failed: Record<string, number> }; run: { indexed: number } };
      assert.equal(summary.files.indexed, 2);
      assert.equal(summary.files.skipped, 1);
      assert.deepEqual(summary.reasons.skipped, { 'unsupported-type': 1 });
      assert.equal(summary.files.failed, 1);
      assert.deepEqual(Object.keys(summary.reasons.failed), ['pdf-corrupt']);
      assert.equal(summary.run.indexed, 2);
      const again = await runCliCaptured(['index', folder, '--data', join(fresh.path, 'data')], { env });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^indexed 2 files, skipped 1 \(1 unsupported-type\), failed 1 \(1 pdf-corrupt\)/);
      assert.match(again.stdout, /this run: 0 indexed/);
      const missing = await runCliCaptured(['index', join(fresh.path, 'nope'), '--data', join(fresh.path, 'data')], { env });
      assert.equal(missing.code, 1);
    } finally {
      await fresh.dispose();
    }
  });

  it('search without an index says how to make one', async () => {
    const empty = await tempFolder('engine-cli-empty-');
    try {
      const result = await runCliCaptured(['search', 'x'], { env: { ...env, SPLADE_DATA_DIR: empty.path } });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /no index in .*splade-search index <folder>/);
    } finally {
      await empty.dispose();
    }
  });
});
