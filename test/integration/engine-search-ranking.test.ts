/**
 * Exact ranking (app/engine/search-ranking.ts) on indexes larger than the candidate pool the index allows: dense
 * random vectors (every passage shares most query terms, as the tiny fixture model's do) make the quantization
 * bound too wide to certify a pool, so ranking falls back to scoring every live passage's kept vector. The result
 * must equal brute force over the full-precision vectors, rank by rank, with the filters applied.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SEARCH_K_LIMIT, SparseIndex, sparseDot, type SparseVector } from '../../app/index/index.js';
import { rankExact } from '../../app/engine/search-ranking.js';
import { tempFolder } from '../helpers/encoder-helpers.js';

const VOCAB = 400;

function randomVector(rand: () => number, terms: number): SparseVector {
  const ids = new Set<number>();
  while (ids.size < terms) ids.add(Math.floor(rand() * VOCAB));
  const indices = Uint32Array.from([...ids].sort((a, b) => a - b));
  // Weights in a narrow band: scores bunch together, far closer than the quantization bound.
  return { indices, values: Float32Array.from(indices, () => 1 + rand() * 0.05) };
}

/** A query on every term of the vocabulary (a dense model's query), with weights in [1, 1.01). */
function denseQuery(seed: number): SparseVector {
  const rand = makeRandom(seed);
  return { indices: Uint32Array.from({ length: VOCAB }, (_, i) => i), values: Float32Array.from({ length: VOCAB }, () => 1 + rand() * 0.01) };
}

function makeRandom(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

describe('exact ranking beyond the index k limit', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let index: SparseIndex;
  const vectors = new Map<number, SparseVector>();
  const texts = new Map<number, string>();
  const paths = new Map<number, string>();
  const passages = SEARCH_K_LIMIT + 500;

  before(async () => {
    folder = await tempFolder('ranking-limit-');
    index = SparseIndex.open(join(folder.path, 'index'), { vocabSize: VOCAB });
    const writer = index.openWriter({ keepVectors: true, autoMerge: false });
    const rand = makeRandom(11);
    writer.addFolder('/lib');
    const perFile = 50;
    for (let f = 0; f < passages / perFile; f++) {
      const path = `/lib/${f % 2 === 0 ? 'even' : 'odd'}/f${f}.txt`;
      writer.upsertFile({ path, size: 1, mtimeMs: 1 }, Array.from({ length: perFile }, (_, i) => ({
        vector: randomVector(rand, 60),
        charStart: 0,
        charEnd: 1,
        line: i + 1,
        text: (f * perFile + i) % 3 === 0 ? 'alpha beta' : 'gamma',
      })));
    }
    writer.commit();
    writer.close();
    for (const { id, path } of index.listFiles()) {
      const fileId = id;
      for (const passage of index.passagesOfFile(fileId)) {
        paths.set(passage.id, path);
        texts.set(passage.id, passage.text ?? '');
      }
      const ids = index.passagesOfFile(fileId).map((passage) => passage.id);
      for (const [pid, vector] of index.passageVectors(ids)) vectors.set(pid, vector);
    }
  });

  after(async () => {
    index?.close();
    await folder?.dispose();
  });

  function bruteForce(query: SparseVector, k: number, keep: (id: number) => boolean): { id: number; score: number }[] {
    return [...vectors]
      .filter(([id]) => keep(id))
      .map(([id, vector]) => ({ id, score: sparseDot(query, vector) }))
      .filter((entry) => entry.score > 0)
      .sort((a, b) => b.score - a.score || a.id - b.id)
      .slice(0, k);
  }

  const base = { mode: 'exact' as const, filter: {}, phrases: [], excluded: [] };

  it('returns the exact top k on an index larger than SEARCH_K_LIMIT (the pool stops at the limit, then a full scan)', () => {
    assert.ok(vectors.size > SEARCH_K_LIMIT);
    const query = denseQuery(5);
    const ranking = rankExact(index, query, { ...base, k: 50 });
    assert.equal(ranking.method, 'scan', 'dense vectors: no pool within the limit can be certified');
    assert.deepEqual(ranking.passages.map((p) => ({ id: p.hit.passageId, score: p.score })), bruteForce(query, 50, () => true));
    for (const passage of ranking.passages) assert.equal(sparseDot(query, passage.vector!), passage.score);
  });

  it('applies folder filters, phrases, -words and left-out passages in the full scan (small pool seam)', () => {
    const query = denseQuery(9);
    const exclude = new Set([bruteForce(query, 1, () => true)[0]!.id]);
    const ranking = rankExact(index, query, { ...base, k: 20, maxPool: 64, filter: { folders: ['/lib/even'] }, phrases: ['alpha'], exclude });
    assert.equal(ranking.method, 'scan');
    const expected = bruteForce(query, 20, (id) => paths.get(id)!.startsWith('/lib/even/') && texts.get(id)!.includes('alpha') && !exclude.has(id));
    assert.deepEqual(ranking.passages.map((p) => ({ id: p.hit.passageId, score: p.score })), expected);
    for (const passage of ranking.passages) assert.equal(passage.hit.passage.text, texts.get(passage.hit.passageId));
  });

  it('ranks from a pool without scanning when the pool holds every matching passage', () => {
    // A query on one term: the passages holding it fit in a pool, which the index exhausts.
    // A fresh index object: the one above holds its vectors in memory after its scans, and then scans directly.
    const fresh = SparseIndex.open(join(folder.path, 'index'));
    try {
      assert.equal(fresh.vectorsResident, false);
      const query: SparseVector = { indices: Uint32Array.of(7), values: Float32Array.of(3) };
      const ranking = rankExact(fresh, query, { ...base, k: 10 });
      assert.equal(ranking.method, 'pool');
      assert.ok(ranking.candidates < SEARCH_K_LIMIT);
      assert.deepEqual(ranking.passages.map((p) => ({ id: p.hit.passageId, score: p.score })), bruteForce(query, 10, () => true));
    } finally {
      fresh.close();
    }
  });

  it('follows commits in the in-memory copy of the vectors: a new passage is scanned, a deleted one is gone', () => {
    assert.equal(index.vectorsResident, true);
    const query = denseQuery(13);
    const strong: SparseVector = { indices: Uint32Array.from({ length: VOCAB }, (_, i) => i), values: new Float32Array(VOCAB).fill(2) };
    const writer = index.openWriter({ keepVectors: true, autoMerge: false });
    try {
      writer.upsertFile({ path: '/lib/even/new.txt', size: 1, mtimeMs: 2 }, [{ vector: strong, charStart: 0, charEnd: 1, line: 1, text: 'alpha' }]);
      writer.commit();
      const added = rankExact(index, query, { ...base, k: 3 });
      assert.equal(added.method, 'scan');
      assert.equal(added.passages[0]!.hit.file.path, '/lib/even/new.txt');
      assert.equal(added.passages[0]!.score, sparseDot(query, strong));
      writer.deleteFile('/lib/even/new.txt');
      writer.commit();
      const removed = rankExact(index, query, { ...base, k: 3 });
      assert.deepEqual(removed.passages.map((p) => ({ id: p.hit.passageId, score: p.score })), bruteForce(query, 3, () => true));
    } finally {
      writer.close();
    }
  });
});
