import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SparseEncoder } from '../../app/encoder/index.js';
import { checkParity, FIXTURE_V5, FIXTURE_V6, useEncoderFixture } from '../helpers/encoder-helpers.js';

describe('SparseEncoder parity with sentence-transformers (suite.expected.json)', () => {
  const suite = useEncoderFixture('splade-cache-');

  for (const [label, folder] of [
    ['splade-peft (v6 layout)', FIXTURE_V6],
    ['splade-peft-v5 (v5 layout)', FIXTURE_V5],
  ] as const) {
    it(`matches every vector, similarity and decode for ${label}`, async (t) => {
      const encoder = await SparseEncoder.load(folder, { device: 'cpu', cacheDir: suite.cacheDir, batchSize: 5 });
      try {
        assert.equal(encoder.executionProvider.provider, 'cpu');
        const maxError = await checkParity(encoder, suite.expected, label);
        t.diagnostic(`max abs weight error ${maxError.toExponential(2)}`);
      } finally {
        await encoder.dispose();
      }
    });
  }

  it('matches with the plain (standard ONNX) attention graph too', async (t) => {
    const encoder = await SparseEncoder.load(FIXTURE_V6, { device: 'cpu', cacheDir: suite.cacheDir, attention: 'plain' });
    try {
      const maxError = await checkParity(encoder, suite.expected, 'plain attention');
      t.diagnostic(`max abs weight error ${maxError.toExponential(2)}`);
    } finally {
      await encoder.dispose();
    }
  });

  it('builds an fp16 graph (float32 inputs and outputs) that stays close to the reference', async () => {
    const encoder = await SparseEncoder.load(FIXTURE_V6, { device: 'cpu', cacheDir: suite.cacheDir, precision: 'fp16' });
    try {
      const documents = await encoder.encodeDocument(suite.expected.texts);
      documents.forEach((vector, i) => {
        const reference = suite.expected.document[i]!;
        const dense = new Map(reference.indices.map((index, k) => [index, reference.values[k]!]));
        let maxError = 0;
        vector.indices.forEach((index, k) => (maxError = Math.max(maxError, Math.abs(vector.values[k]! - (dense.get(index) ?? 0)))));
        assert.ok(maxError < 2e-3, `fp16 document ${i}: ${maxError}`);
        assert.ok(Math.abs(vector.indices.length - reference.indices.length) <= Math.max(5, reference.indices.length * 0.02));
      });
    } finally {
      await encoder.dispose();
    }
  });
});
