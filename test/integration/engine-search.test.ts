/**
 * The Engine's read side on passages inserted directly into its data folder's index (fixture texts encoded by the
 * tiny model): ranking and scores equal sentence-transformers' dot products (expected.json), contributions sum to
 * the score, highlights point at the passage's own tokens, query syntax filters, more-like-this, explain, browsing,
 * and a second Engine on the same folder reads while the first one writes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, isEngineError } from '../../app/engine/index.js';
import { sparseDot } from '../../app/index/index.js';
import { fixtureDocPath, makeFixtureDataDir } from '../helpers/engine-fixture.js';
import { FIXTURE_V6, readExpected, tempFolder, type Expected } from '../helpers/encoder-helpers.js';

describe('Engine search over indexed fixture passages', () => {
  let expected: Expected;
  let data: Awaited<ReturnType<typeof tempFolder>>;
  let cache: Awaited<ReturnType<typeof tempFolder>>;
  let engine: Engine;
  const docPath = fixtureDocPath;

  before(async () => {
    expected = await readExpected();
    data = await tempFolder('engine-data-');
    cache = await tempFolder('engine-onnx-');
    await makeFixtureDataDir(data.path, cache.path);
    engine = await Engine.open({ dataDir: data.path, model: FIXTURE_V6, onnxCacheDir: cache.path, env: {}, indexing: 'off' });
  });

  after(async () => {
    await engine?.close();
    await data.dispose();
    await cache.dispose();
  });

  it('ranks every query as sentence-transformers does, with its exact scores', async () => {
    for (const [q, query] of expected.queries.entries()) {
      const response = await engine.search({ query, k: expected.texts.length });
      const reference = expected.similarity[q]!;
      const got = response.hits.map((hit) => ({ doc: Number(/d(\d+)\./.exec(hit.file.path)![1]), score: hit.score }));
      const nonZero = reference.filter((score) => score > 0).length;
      assert.equal(got.length, nonZero, `query ${q}: every document with a shared term`);
      for (const { doc, score } of got) assert.ok(Math.abs(score - reference[doc]!) <= 1e-5 * Math.max(1, reference[doc]!), `query ${q} doc ${doc}: ${score} vs ${reference[doc]}`);
      for (let i = 1; i < got.length; i++) assert.ok(got[i - 1]!.score >= got[i]!.score);
      const best = reference.indexOf(Math.max(...reference));
      assert.ok(Math.abs(reference[got[0]!.doc]! - reference[best]!) <= 1e-5 * reference[best]!);
      assert.equal(response.stale, false);
      assert.ok(response.queryTerms.length > 0);
    }
  });

  it('caps the terms per hit (termsPerHit, default 64) and sums the rest in otherTerms; highlights only the kept terms', async () => {
    const query = expected.queries[2]!;
    const full = await engine.search({ query, k: 3, termsPerHit: 1024 });
    const capped = await engine.search({ query, k: 3, termsPerHit: 5 });
    const byDefault = await engine.search({ query, k: 3 });
    assert.deepEqual(capped.hits.map((hit) => hit.score), full.hits.map((hit) => hit.score));
    for (const [i, hit] of capped.hits.entries()) {
      const all = full.hits[i]!.terms;
      assert.ok(all.length > 5, 'the dense fixture model shares more than 5 terms');
      assert.equal(full.hits[i]!.otherTerms.count, 0);
      assert.deepEqual(hit.terms, all.slice(0, 5));
      assert.equal(hit.otherTerms.count, all.length - 5);
      const rest = all.slice(5).reduce((total, term) => total + term.contribution, 0);
      assert.ok(Math.abs(hit.otherTerms.contribution - rest) < 1e-9 * Math.max(1, rest));
      const kept = new Set(hit.terms.map((term) => term.id));
      for (const highlight of hit.highlights) assert.ok(kept.has(highlight.id));
      assert.equal(byDefault.hits[i]!.terms.length, Math.min(64, all.length));
    }
    await assert.rejects(engine.search({ query, termsPerHit: 5000 }), (error) => isEngineError(error, 'invalid-request') && /termsPerHit/.test((error as Error).message));
  });

  it('gives each hit its terms (summing to the score, marked in-text or expansion) and highlights of its own tokens', async () => {
    const { hits } = await engine.search({ query: expected.queries[2]!, k: 3 });
    for (const hit of hits) {
      const sum = hit.terms.reduce((total, term) => total + term.contribution, 0) + hit.otherTerms.contribution;
      assert.ok(Math.abs(sum - hit.score) < 1e-6 * Math.max(1, hit.score));
      assert.ok(hit.terms.some((term) => !term.inText), 'SPLADE expansion adds terms absent from the text');
      const inText = new Set(hit.terms.filter((term) => term.inText).map((term) => term.id));
      for (const highlight of hit.highlights) {
        assert.ok(inText.has(highlight.id));
        const span = hit.passage.text.slice(highlight.start, highlight.end).toLowerCase();
        const term = hit.terms.find((t) => t.id === highlight.id)!.term.replace(/^##/, '');
        assert.equal(span.normalize('NFD').replace(/\p{M}/gu, ''), term);
      }
      assert.equal(hit.passage.line, 1);
      assert.equal(hit.passage.start, 0);
    }
  });

  it('gives token spans in UTF-16 offsets of the text, also after astral characters', async () => {
    const text = expected.texts[8]!;
    const { document } = await engine.explain({ text });
    const emoji = text.indexOf('😀');
    const after = document.tokens.filter((token) => token.start > emoji);
    assert.ok(after.length > 3);
    for (const token of document.tokens) {
      if (token.text === '[UNK]') continue;
      const span = text.slice(token.start, token.end).toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
      assert.equal(span, token.text.replace(/^##/, ''));
    }
    assert.deepEqual(after.slice(1, 3).map((token) => text.slice(token.start, token.end)), ['UR', 'Ls']);
  });

  it('applies the query syntax: phrases, -word, ext:, path:, after:/before:', async () => {
    const stars = await engine.search({ query: 'star characteristics "classify stars"' });
    assert.deepEqual(stars.hits.map((hit) => hit.file.path), [docPath(5)]);
    const notInk = await engine.search({ query: 'copic markers alcohol ink -ink', k: 12 });
    assert.ok(notInk.hits.length > 0 && notInk.hits.every((hit) => !/\bink\b/i.test(hit.passage.text)));
    assert.deepEqual((await engine.search({ query: 'stars ext:md' })).hits.map((hit) => hit.file.ext), ['md']);
    assert.ok((await engine.search({ query: 'stars path:/docs/odd', k: 12 })).hits.every((hit) => hit.file.folder === '/docs/odd'));
    const dated = await engine.search({ query: 'stars', k: 12, filters: { modifiedAfter: Date.UTC(2024, 0, 3), modifiedBefore: Date.UTC(2024, 0, 5) } });
    assert.deepEqual(dated.hits.map((hit) => hit.file.path).sort(), [docPath(2), docPath(3), docPath(4)].sort());
  });

  it('finds more like a passage (its own vector as the query), leaving the passage out', async () => {
    const { passages } = await engine.filePassages({ path: docPath(6) });
    assert.equal(passages.length, 1);
    assert.ok(passages[0]!.topTerms.length > 0);
    const response = await engine.moreLikeThis({ passageId: passages[0]!.id, k: 3 });
    assert.ok(response.hits.every((hit) => hit.passage.id !== passages[0]!.id));
    const own = expected.document[6]!;
    const asVector = (row: { indices: number[]; values: number[] }) => ({ indices: Int32Array.from(row.indices), values: Float32Array.from(row.values) });
    const scores = expected.document.map((row, i) => (i === 6 ? -1 : sparseDot(asVector(own), asVector(row))));
    const best = scores.indexOf(Math.max(...scores));
    assert.equal(response.hits[0]!.file.path, docPath(best));
    assert.ok(Math.abs(response.hits[0]!.score - scores[best]!) < 1e-5 * scores[best]!);
    await assert.rejects(engine.moreLikeThis({ passageId: 999_999 }), (error) => isEngineError(error, 'not-found'));
  });

  it('explains a text and compares it with another (score = query · document)', async () => {
    const response = await engine.explain({ text: expected.queries[0]!, compareWith: expected.texts[1]!, topK: 5 });
    assert.equal(response.query.terms.length, 5);
    assert.ok(response.document.tokens.length > 0);
    assert.ok(Math.abs(response.comparison!.score - expected.similarity[0]![1]!) < 1e-5 * expected.similarity[0]![1]!);
    assert.equal(response.document.truncated, false);
    const { terms, otherTerms } = response.comparison!;
    assert.ok(terms.length <= 5 && otherTerms.count > 0, 'comparison terms are capped at topK');
    const sum = terms.reduce((total, term) => total + term.contribution, 0) + otherTerms.contribution;
    assert.ok(Math.abs(sum - response.comparison!.score) < 1e-5 * response.comparison!.score);
    assert.equal((await engine.explain({ text: expected.texts[11]! })).document.truncated, true);
  });

  it('lists files and folders with counts; validates requests', async () => {
    const listed = await engine.listFiles({ status: 'indexed', folder: '/docs/odd', limit: 2 });
    assert.equal(listed.total, 6);
    assert.equal(listed.files.length, 2);
    const folders = await engine.listFolders({});
    assert.deepEqual(folders.map((f) => [f.path, f.counts.indexed, f.available]), [['/docs/even', 6, false], ['/docs/odd', 6, false]]);
    await assert.rejects(engine.search({ query: 'x', k: 0 }), (error) => isEngineError(error, 'invalid-request') && /k/.test((error as Error).message));
    await assert.rejects(engine.filePassages({ path: '/nope' }), (error) => isEngineError(error, 'not-found'));
    const status = await engine.status({});
    assert.equal(status.role, 'writer');
    assert.equal(status.index.passages, 12);
    assert.equal(status.index.files.indexed, 12);
    assert.equal(status.model.state, 'ready');
  });

  it('opens a second Engine on the same data folder as a reader that searches and refuses changes', async () => {
    const reader = await Engine.open({ dataDir: data.path, model: FIXTURE_V6, onnxCacheDir: cache.path, env: {} });
    try {
      assert.equal(reader.role, 'reader');
      const { hits } = await reader.search({ query: expected.queries[1]!, k: 1 });
      assert.equal(hits.length, 1);
      await assert.rejects(reader.addFolder({ path: data.path }), (error) => isEngineError(error, 'read-only') && /pid \d+/.test((error as Error).message));
      await assert.rejects(reader.setSettings({ passageTokens: 128 }), (error) => isEngineError(error, 'read-only'));
    } finally {
      await reader.close();
    }
  });
});
