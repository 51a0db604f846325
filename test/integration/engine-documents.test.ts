/**
 * Search over indexed fixture documents on disk (tiny model, the whole pipeline: scan, extract, split, encode,
 * index): scores and order equal sentence-transformers' dot products (expected.json), character ranges point into
 * the extracted text, PDFs carry page numbers and text files line numbers. Also a passage-size change: the index goes
 * stale, is rebuilt in the background and swapped in.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, type Progress } from '../../app/engine/index.js';
import { writeSimplePdf } from '../../app/ingest/index.js';
import { FIXTURE_V6, readExpected, tempFolder, type Expected } from '../unit/encoder-helpers.js';

describe('Engine search over indexed fixture documents', () => {
  let expected: Expected;
  let root: Awaited<ReturnType<typeof tempFolder>>;
  let cache: Awaited<ReturnType<typeof tempFolder>>;
  let docs: string;
  let engine: Engine;
  const pages = [
    ['Page one is about cocktail dress codes.', 'Knee-length dresses and high heels.'],
    ['Page two explains how stars form in clouds of gas.', 'Gravity pulls the gas together.'],
    ['Page three covers copic markers and alcohol ink.'],
  ];

  before(async () => {
    expected = await readExpected();
    root = await tempFolder('engine-docs-');
    cache = await tempFolder('engine-docs-onnx-');
    docs = join(root.path, 'docs');
    mkdirSync(docs);
    // Documents 0-8 and 10 of the fixture, one file each (9 is empty, 11 is split into several passages).
    for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 8, 10]) writeFileSync(join(docs, `d${i}.txt`), expected.texts[i]!);
    writeFileSync(join(docs, 'paper.pdf'), writeSimplePdf(pages));
    writeFileSync(join(docs, 'lines.txt'), Array.from({ length: 200 }, (_, i) => `row ${i + 1}: a line of notes about subject ${i % 17}`).join('\n'));
    engine = await Engine.open({ dataDir: join(root.path, 'data'), model: FIXTURE_V6, onnxCacheDir: cache.path, env: {}, indexing: 'sync' });
    engine.on('progress', (progress) => progressEvents.push(progress));
    await engine.addFolder({ path: docs });
    await engine.whenIdle();
  });

  const progressEvents: Progress[] = [];

  it('reports progress: scanning, indexing with counts and rate, then idle', () => {
    const phases = new Set(progressEvents.map((p) => p.phase));
    assert.ok(phases.has('scanning') && phases.has('indexing') && phases.has('idle'), [...phases].join(','));
    const last = progressEvents.filter((p) => p.phase === 'indexing').at(-1)!;
    assert.equal(last.done, 12);
    assert.equal(last.indexed, 12);
    assert.equal(last.queued, 0);
    assert.equal(progressEvents.at(-1)!.phase, 'idle');
  });

  after(async () => {
    await engine?.close();
    await root.dispose();
    await cache.dispose();
  });

  it("ranks the files by sentence-transformers' dot products", async () => {
    for (const [q, query] of expected.queries.entries()) {
      const { hits } = await engine.search({ query, k: 50, filters: { fileTypes: ['txt'] } });
      const fixtureHits = hits.filter((hit) => /\/d\d+\.txt$/.test(hit.file.path));
      const got = fixtureHits.map((hit) => ({ doc: Number(/d(\d+)\.txt$/.exec(hit.file.path)![1]), score: hit.score }));
      const want = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10].filter((i) => expected.similarity[q]![i]! > 0).sort((x, y) => expected.similarity[q]![y]! - expected.similarity[q]![x]!);
      assert.equal(got.length, want.length);
      for (const { doc, score } of got) {
        const reference = expected.similarity[q]![doc]!;
        assert.ok(Math.abs(score - reference) <= 1e-5 * Math.max(1, reference), `query ${q}, d${doc}: ${score} vs ${reference}`);
      }
      got.forEach(({ doc }, i) => assert.ok(Math.abs(expected.similarity[q]![doc]! - expected.similarity[q]![want[i]!]!) <= 1e-5 * expected.similarity[q]![want[i]!]!, `query ${q}: rank ${i}`));
    }
  });

  it('gives PDF passages their page and text passages their line, with ranges into the extracted text', async () => {
    const { hits } = await engine.search({ query: 'how do stars form "clouds of gas"', k: 1 });
    assert.equal(hits[0]?.file.path, join(docs, 'paper.pdf'));
    assert.equal(hits[0]!.passage.page, 2);
    assert.equal(hits[0]!.passage.line, null);
    const pdf = await engine.filePassages({ path: join(docs, 'paper.pdf') });
    assert.deepEqual(pdf.passages.map((p) => p.page), [1, 2, 3]);
    const lines = await engine.filePassages({ path: join(docs, 'lines.txt') });
    const text = Array.from({ length: 200 }, (_, i) => `row ${i + 1}: a line of notes about subject ${i % 17}`).join('\n');
    assert.ok(lines.passages.length > 3);
    for (const passage of lines.passages) {
      assert.equal(passage.text, text.slice(passage.start, passage.end));
      assert.equal(passage.line, text.slice(0, passage.start).split('\n').length);
      assert.ok(text.split('\n')[passage.line! - 1]!.endsWith(passage.text.split('\n')[0]!), 'the first line of the passage is on that line of the file');
    }
  });

  it('rebuilds in the background for a new passage size, searchable meanwhile, then swaps it in', async () => {
    const before = await engine.filePassages({ path: join(docs, 'lines.txt') });
    await engine.setSettings({ passageTokens: 64, passageOverlap: 8 });
    const stale = await engine.status({});
    assert.equal(stale.index.stale, true);
    assert.equal((await engine.search({ query: 'notes about subject 3', k: 1 })).stale, true);
    await engine.whenRebuilt();
    const status = await engine.status({});
    assert.equal(status.index.stale, false);
    assert.deepEqual(status.index.builtWith, { model: FIXTURE_V6, passageTokens: 64, passageOverlap: 8 });
    const after = await engine.filePassages({ path: join(docs, 'lines.txt') });
    assert.ok(after.passages.length > before.passages.length, 'smaller passages: more of them');
    assert.equal(status.index.files.indexed, (await engine.listFiles({ status: 'indexed' })).total);
    assert.ok((await engine.search({ query: 'notes about subject 3', k: 1 })).hits.length === 1);
  });
});
