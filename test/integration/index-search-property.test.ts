import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SparseIndex, type SparseVector } from '../../app/index/index.js';
import { SpladeLikeGenerator, randomSparseVector } from '../../app/index/bench/index.js';
import { Random } from '../../app/index/random.js';
import { IndexModel, assertCatalogMatchesModel, assertExactMatchesModel } from '../helpers/index-reference-model.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'index-property-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

type Source = (random: Random) => SparseVector;

/** Runs a random sequence of add / replace / delete / commit / merge and checks exact search after each commit. */
async function runSequence(seed: number, makeDoc: Source, makeQuery: Source, options: { vocabSize: number; blockSize: number; steps: number }) {
  const dir = join(root, `seq-${seed}-${options.blockSize}`);
  const index = SparseIndex.open(dir, { vocabSize: options.vocabSize, blockSize: options.blockSize, blocksPerPage: 3 });
  const writer = index.openWriter({ autoMerge: false, flushBytes: 40_000 });
  const model = new IndexModel(index.scale);
  const random = new Random(seed, 99);
  const queries = Array.from({ length: 6 }, () => makeQuery(random));
  const paths = Array.from({ length: 40 }, (_, i) => `/data/${i % 3 === 0 ? 'a' : 'b'}/file-${i}.${i % 2 ? 'md' : 'txt'}`);
  let checks = 0;
  try {
    for (let step = 0; step < options.steps; step++) {
      const action = random.next();
      const path = paths[random.int(paths.length)]!;
      if (action < 0.55) {
        const vectors = Array.from({ length: random.intBetween(0, 7) }, () => makeDoc(random));
        const mtimeMs = step * 1000;
        const { fileId, passageIds } = writer.upsertFile(
          { path, mtimeMs, size: 100 },
          vectors.map((vector, i) => ({ vector, charStart: i * 100, charEnd: i * 100 + 99 })),
        );
        model.setFile(path, fileId, passageIds, vectors, mtimeMs);
      } else if (action < 0.7) {
        assert.equal(writer.deleteFile(path), model.files.has(path));
        model.deleteFile(path);
      } else if (action < 0.93) {
        writer.commit({ step });
        index.checkConsistency();
        for (const [q, query] of queries.entries()) {
          assertExactMatchesModel(index, model, query, 1 + ((q * 7) % 25), `seed ${seed} step ${step} query ${q}`);
          checks++;
        }
      } else {
        writer.commit();
        await writer.forceMerge(random.intBetween(1, 3));
        index.checkConsistency();
        for (const [q, query] of queries.entries()) assertExactMatchesModel(index, model, query, 10, `seed ${seed} after merge, query ${q}`);
      }
    }
    writer.commit();
    assertCatalogMatchesModel(index, model, `seed ${seed}`);
    for (const [q, query] of queries.entries()) assertExactMatchesModel(index, model, query, 50, `seed ${seed} final query ${q}`);
  } finally {
    writer.close();
    index.close();
  }
  return checks;
}

describe('exact search equals brute force (scores per rank)', () => {
  it('on uniformly random vectors over a small vocabulary, across add/replace/delete/merge', async () => {
    for (const seed of [1, 2, 3]) {
      const checks = await runSequence(
        seed,
        (random) => randomSparseVector(random, 300, 1, 40),
        (random) => randomSparseVector(random, 300, 1, 60),
        { vocabSize: 300, blockSize: 4 + seed * 3, steps: 80 },
      );
      assert.ok(checks > 20, `only ${checks} checks ran`);
    }
  });

  it('on realistically distributed (SPLADE-like) vectors over the full vocabulary', async () => {
    const generator = new SpladeLikeGenerator({ seed: 11 });
    let doc = 0;
    let query = 0;
    await runSequence(
      7,
      () => generator.document(doc++),
      () => generator.query(query++, 200).vector,
      { vocabSize: 30522, blockSize: 32, steps: 70 },
    );
  });

  it('with the extreme values: term 0, the last term, tiny and clamped weights, single-term vectors', async () => {
    const dir = join(root, 'extremes');
    const index = SparseIndex.open(dir, { vocabSize: 50, blockSize: 2 });
    const writer = index.openWriter({ autoMerge: false });
    const model = new IndexModel(index.scale);
    const vectors: SparseVector[] = [
      { indices: Uint32Array.of(0), values: Float32Array.of(1e-6) },
      { indices: Uint32Array.of(49), values: Float32Array.of(1000) },
      { indices: Int32Array.of(0, 49), values: Float32Array.of(5, 5) },
      { indices: Uint32Array.of(1, 2, 3), values: Float32Array.of(0.01, 0.02, 0.03) },
    ];
    const { fileId, passageIds } = writer.upsertFile({ path: '/x/e.txt' }, vectors.map((vector) => ({ vector, charStart: 0, charEnd: 1 })));
    model.setFile('/x/e.txt', fileId, passageIds, vectors);
    writer.commit();
    for (const query of [...vectors, { indices: Uint32Array.of(0, 1, 49), values: Float32Array.of(0, 2, 0.5) }]) {
      assertExactMatchesModel(index, model, query, 4, 'extremes');
    }
    // A query that matches nothing returns nothing.
    assert.equal(index.search({ indices: Uint32Array.of(10), values: Float32Array.of(1) }).hits.length, 0);
    writer.close();
    index.close();
  });
});
