/** The encoder facade's batching for GPUs: windowed tokenization, batches in flight, results in input order. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BATCHES_IN_FLIGHT, SparseEncoder, TOKENIZE_WINDOW_BATCHES } from '../../app/encoder/sparse-encoder.js';
import { FIXTURE_V6, useEncoderFixture, encoderError } from '../helpers/encoder-helpers.js';

describe('SparseEncoder batching (CPU provider)', () => {
  const suite = useEncoderFixture('splade-pipeline-cache-');

  it('returns every vector in input order when there are many more batches than fit in flight', async () => {
    // 12 fixture texts, each 6 times, shuffled: 72 texts in batches of 2 = 36 batches, 9 tokenization windows.
    const texts: string[] = [];
    const source: number[] = [];
    for (let copy = 0; copy < 6; copy++) suite.expected.texts.forEach((text, i) => (texts.push(text), source.push(i)));
    for (let i = texts.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [texts[i], texts[j]] = [texts[j]!, texts[i]!];
      [source[i], source[j]] = [source[j]!, source[i]!];
    }
    assert.ok(texts.length / 2 > TOKENIZE_WINDOW_BATCHES * 2 && texts.length / 2 > BATCHES_IN_FLIGHT * 4);
    const encoder = await SparseEncoder.load(FIXTURE_V6, { device: 'cpu', cacheDir: suite.cacheDir, batchSize: 2 });
    try {
      const vectors = await encoder.encodeDocument(texts);
      assert.equal(vectors.length, texts.length);
      const stats = encoder.workerStats;
      assert.equal(stats.batches, texts.length / 2);
      assert.ok(stats.runSeconds > 0 && stats.overheadSeconds >= 0 && stats.starvedSeconds >= 0, JSON.stringify(stats));
      vectors.forEach((vector, i) => {
        const reference = suite.expected.document[source[i]!]!;
        assert.deepEqual(Array.from(vector.indices), reference.indices, `text ${i} (fixture document ${source[i]})`);
        vector.values.forEach((value, k) => assert.ok(Math.abs(value - reference.values[k]!) <= 1e-5, `text ${i}, entry ${k}`));
      });
    } finally {
      await encoder.dispose();
    }
  });

  it('caps the tokens per batch (maxBatchTokens), one text per batch when even one does not fit, same vectors', async () => {
    await assert.rejects(SparseEncoder.load(FIXTURE_V6, { device: 'cpu', cacheDir: suite.cacheDir, maxBatchTokens: 0 }), encoderError('invalid-option', /maxBatchTokens 0 is not a positive integer/));
    for (const maxBatchTokens of [64, 1]) {
      const encoder = await SparseEncoder.load(FIXTURE_V6, { device: 'cpu', cacheDir: suite.cacheDir, maxBatchTokens });
      try {
        const vectors = await encoder.encodeDocument(suite.expected.texts);
        vectors.forEach((vector, i) => assert.deepEqual(Array.from(vector.indices), suite.expected.document[i]!.indices, `maxBatchTokens ${maxBatchTokens}, text ${i}`));
      } finally {
        await encoder.dispose();
      }
    }
  });

  it('rejects, without unhandled rejections, when the batches cannot run (disposed encoder)', async () => {
    const encoder = await SparseEncoder.load(FIXTURE_V6, { device: 'cpu', cacheDir: suite.cacheDir, batchSize: 1 });
    await encoder.dispose();
    await assert.rejects(encoder.encodeDocument(suite.expected.texts), encoderError('encoder-closed', /disposed/));
  });

  it('returns an empty list for no texts', async () => {
    const encoder = await SparseEncoder.load(FIXTURE_V6, { device: 'cpu', cacheDir: suite.cacheDir });
    try {
      assert.deepEqual(await encoder.encodeDocument([]), []);
    } finally {
      await encoder.dispose();
    }
  });
});
