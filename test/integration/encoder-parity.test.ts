import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SparseEncoder, type SparseVector } from '../../app/encoder/index.js';
import { FIXTURE_V5, FIXTURE_V6, readExpected, tempFolder, type Expected, type SparseRow } from '../unit/encoder-helpers.js';

/** Max |ours − reference| over the union of indices; asserts the same active dimensions (reference ≥ 1e-6). */
export function compareVector(ours: SparseVector, reference: SparseRow, label: string): number {
  const ref = new Map(reference.indices.map((index, k) => [index, reference.values[k]!]));
  const mine = new Map(Array.from(ours.indices, (index, k) => [index, ours.values[k]!]));
  for (let k = 1; k < ours.indices.length; k++) assert.ok(ours.indices[k]! > ours.indices[k - 1]!, `${label}: indices ascending`);
  let maxError = 0;
  for (const index of new Set([...ref.keys(), ...mine.keys()])) {
    const a = mine.get(index) ?? 0;
    const b = ref.get(index) ?? 0;
    if (b >= 1e-6) assert.ok(mine.has(index), `${label}: dimension ${index} (${b}) is missing`);
    if (a >= 1e-6) assert.ok(ref.has(index), `${label}: dimension ${index} (${a}) is not in the reference`);
    maxError = Math.max(maxError, Math.abs(a - b));
  }
  assert.ok(maxError <= 1e-5, `${label}: max error ${maxError}`);
  return maxError;
}

/** Checks documents, queries, similarities and decode against expected.json; returns the max weight error. */
export async function checkParity(encoder: SparseEncoder, expected: Expected, label: string): Promise<number> {
  const documents = await encoder.encodeDocument(expected.texts);
  const queries = await encoder.encodeQuery(expected.queries);
  let maxError = 0;
  documents.forEach((v, i) => (maxError = Math.max(maxError, compareVector(v, expected.document[i]!, `${label} document ${i}`))));
  queries.forEach((v, i) => (maxError = Math.max(maxError, compareVector(v, expected.query[i]!, `${label} query ${i}`))));
  assert.deepEqual(documents.map((d) => d.indices.length), expected.active_dims);
  expected.similarity.forEach((row, q) =>
    row.forEach((reference, d) => {
      const ours = encoder.similarity(queries[q]!, documents[d]!);
      assert.ok(Math.abs(ours - reference) <= 1e-4 * Math.abs(reference), `${label} similarity[${q}][${d}] ${ours} vs ${reference}`);
    }),
  );
  expected.decode.forEach((reference, d) => {
    const ours = encoder.decode(documents[d]!, 10);
    assert.deepEqual(ours.map(([token]) => token), reference.map(([token]) => token), `${label} decode ${d}`);
    ours.forEach(([, weight], k) => assert.ok(Math.abs(weight - reference[k]![1]) <= 1e-5));
  });
  return maxError;
}

describe('SparseEncoder parity with sentence-transformers (expected.json)', () => {
  let expected: Expected;
  let cache: Awaited<ReturnType<typeof tempFolder>>;
  before(async () => {
    expected = await readExpected();
    cache = await tempFolder('splade-cache-');
  });
  after(() => cache.dispose());

  for (const [label, folder] of [
    ['splade-peft (v6 layout)', FIXTURE_V6],
    ['splade-peft-v5 (v5 layout)', FIXTURE_V5],
  ] as const) {
    it(`matches every vector, similarity and decode for ${label}`, async (t) => {
      const encoder = await SparseEncoder.load(folder, { cacheDir: cache.path, batchSize: 5 });
      try {
        assert.equal(encoder.executionProvider.provider, 'cpu');
        const maxError = await checkParity(encoder, expected, label);
        t.diagnostic(`max abs weight error ${maxError.toExponential(2)}`);
      } finally {
        await encoder.dispose();
      }
    });
  }

  it('matches with the plain (standard ONNX) attention graph too', async (t) => {
    const encoder = await SparseEncoder.load(FIXTURE_V6, { cacheDir: cache.path, attention: 'plain' });
    try {
      const maxError = await checkParity(encoder, expected, 'plain attention');
      t.diagnostic(`max abs weight error ${maxError.toExponential(2)}`);
    } finally {
      await encoder.dispose();
    }
  });
});
