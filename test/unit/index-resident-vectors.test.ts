import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeVectorBlob } from '../../app/index/catalog/catalog.js';
import { denseQuery } from '../../app/index/exact-scoring.js';
import { ResidentVectors, type VectorSource } from '../../app/index/resident-vectors.js';
import { sparseDot, type SparseVector } from '../../app/index/index.js';

const VOCAB = 300;

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function randomVector(next: () => number, density: number): SparseVector {
  const indices: number[] = [];
  const values: number[] = [];
  for (let id = 0; id < VOCAB; id++) {
    if (next() < density) {
      indices.push(id);
      values.push(Math.fround(next() * 3));
    }
  }
  return { indices: Uint32Array.from(indices), values: Float32Array.from(values) };
}

/** An in-memory stand-in for the catalog's live passages: id → file id and vector; reads are counted. */
class FakeCatalog implements VectorSource {
  passages = new Map<number, { fileId: number; vector: SparseVector }>();
  blobsRead = 0;
  liveVectorIds(): [number, number][] {
    return [...this.passages].map(([id, { fileId }]) => [id, fileId]);
  }
  passageVectorBlobs(ids: readonly number[]): Map<number, Buffer> {
    const out = new Map<number, Buffer>();
    for (const id of ids) {
      const passage = this.passages.get(id);
      if (passage) out.set(id, encodeVectorBlob(passage.vector.indices, passage.vector.values));
    }
    this.blobsRead += out.size;
    return out;
  }
}

function bruteForce(catalog: FakeCatalog, query: SparseVector, allowed?: Uint8Array): Map<number, number> {
  const out = new Map<number, number>();
  for (const [id, { fileId, vector }] of catalog.passages) {
    if (allowed && allowed[fileId] !== 1) continue;
    const score = sparseDot(query, vector);
    if (score > 0) out.set(id, score);
  }
  return out;
}

function scored(resident: ResidentVectors, query: SparseVector, allowed?: Uint8Array, atLeast?: number): Map<number, number> {
  return new Map(resident.score(denseQuery(query, VOCAB), allowed, atLeast).map(({ passageId, score }) => [passageId, score]));
}

/** The entries scoring at least the n-th highest score (ties at the cut included). */
function firstN(all: Map<number, number>, n: number): Map<number, number> {
  const cut = [...all.values()].sort((a, b) => b - a)[n - 1] ?? 0;
  return new Map([...all].filter(([, score]) => score >= cut));
}

describe('resident vectors (the in-memory inverted copy for exact scans)', () => {
  it('scores every live passage bit-identically to sparseDot through adds, deletes, file moves, merges and compactions', () => {
    const next = random(11);
    const catalog = new FakeCatalog();
    // Small thresholds: the delta is merged and the base compacted many times over the run.
    const resident = new ResidentVectors({ deltaMinPostings: 200, deltaShare: 0.2, deadShare: 0.3 });
    let nextId = 1;
    for (let generation = 1; generation <= 40; generation++) {
      const adds = Math.floor(next() * 30);
      for (let i = 0; i < adds; i++) catalog.passages.set(nextId++, { fileId: Math.floor(next() * 8), vector: randomVector(next, 0.05 + next() * 0.3) });
      for (const id of [...catalog.passages.keys()]) {
        const roll = next();
        if (roll < 0.08) catalog.passages.delete(id);
        else if (roll < 0.12) catalog.passages.get(id)!.fileId = Math.floor(next() * 8);
      }
      assert.equal(resident.update(catalog, generation, VOCAB), true);
      for (let q = 0; q < 3; q++) {
        const query = randomVector(next, 0.1);
        assert.deepEqual(scored(resident, query), bruteForce(catalog, query), `generation ${generation}`);
        const allowed = Uint8Array.from({ length: 8 }, () => (next() < 0.5 ? 1 : 0));
        assert.deepEqual(scored(resident, query, allowed), bruteForce(catalog, query, allowed), `generation ${generation}, filtered`);
        for (const n of [1, 7, 10_000]) {
          assert.deepEqual(scored(resident, query, allowed, n), firstN(bruteForce(catalog, query, allowed), n), `generation ${generation}, first ${n}`);
        }
      }
    }
    assert.ok(resident.rebuilds >= 5, `${resident.rebuilds} rebuilds`);
    assert.ok(resident.heldBytes > 0);
  });

  it('reads each vector once: a new generation loads only the passages it has not seen', () => {
    const next = random(5);
    const catalog = new FakeCatalog();
    for (let id = 1; id <= 50; id++) catalog.passages.set(id, { fileId: 1, vector: randomVector(next, 0.2) });
    const resident = new ResidentVectors({ deltaMinPostings: 10, deltaShare: 0 });
    resident.update(catalog, 1, VOCAB);
    assert.equal(catalog.blobsRead, 50);
    assert.equal(resident.update(catalog, 1, VOCAB), true);
    assert.equal(catalog.blobsRead, 50, 'the same generation reads nothing');
    catalog.passages.set(51, { fileId: 2, vector: randomVector(next, 0.2) });
    catalog.passages.delete(3);
    resident.update(catalog, 2, VOCAB);
    assert.equal(catalog.blobsRead, 51);
  });

  it('holds nothing when the copy would exceed its budget, and says so', () => {
    const next = random(9);
    const catalog = new FakeCatalog();
    for (let id = 1; id <= 100; id++) catalog.passages.set(id, { fileId: 1, vector: randomVector(next, 0.5) });
    const resident = new ResidentVectors({ budgetBytes: 10_000 });
    assert.equal(resident.update(catalog, 1, VOCAB), false);
    assert.equal(resident.heldBytes, 0);
    assert.equal(resident.update(catalog, 1, VOCAB), false);
  });

  it('ignores stored terms past the vocabulary (they can never meet a query term)', () => {
    const catalog = new FakeCatalog();
    catalog.passages.set(1, { fileId: 0, vector: { indices: Uint32Array.of(2, VOCAB + 5), values: Float32Array.of(1.5, 9) } });
    const resident = new ResidentVectors({ deltaMinPostings: 0, deltaShare: 0 });
    resident.update(catalog, 1, VOCAB);
    const query: SparseVector = { indices: Uint32Array.of(2), values: Float32Array.of(2) };
    assert.deepEqual(scored(resident, query), new Map([[1, 3]]));
  });
});
