import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SparseEncoder } from '../../app/encoder/index.js';
import { planExecutionProviders } from '../../app/onnxruntime/index.js';
import { compareVector, copyFixture, editJson, FIXTURE_V6, useEncoderFixture, encoderError } from '../helpers/encoder-helpers.js';

describe('SparseEncoder: bad inputs and edge cases', () => {
  const suite = useEncoderFixture('splade-errors-cache-');
  let fixture: Awaited<ReturnType<typeof copyFixture>>;
  before(async () => {
    fixture = await copyFixture();
  });
  after(async () => {
    await fixture.dispose();
  });
  const load = (folder: string, options = {}) => SparseEncoder.load(folder, { device: 'cpu', cacheDir: suite.cacheDir, ...options });

  it('encodes empty and very long texts (truncated to 512 tokens, not rejected)', async () => {
    const encoder = await load(FIXTURE_V6);
    try {
      const [empty, long, whitespace] = await encoder.encodeDocument(['', 'word '.repeat(20000), '   leading and trailing whitespace   ']);
      compareVector(empty!, suite.expected.document[9]!, 'empty text');
      compareVector(long!, suite.expected.document[11]!, 'long text'); // "word " x 600 truncates to the same 510 tokens
      compareVector(whitespace!, suite.expected.document[10]!, 'whitespace');
      assert.deepEqual(await encoder.encode([]), []);
    } finally {
      await encoder.dispose();
    }
    await assert.rejects(encoder.encode(['x']), encoderError('encoder-closed', /the encoder has been disposed/));
  });

  it('reports missing and corrupt safetensors naming file and tensor', async () => {
    const weights = join(fixture.base, 'model.safetensors');
    const bytes = await readFile(weights);
    try {
      await writeFile(weights, bytes.subarray(0, bytes.length - 5000));
      await assert.rejects(load(fixture.v6), encoderError('model-invalid', /Cannot read model\.safetensors in .*base: tensor cls\.predictions\.bias: data offsets \[4041216, 4163304\] lie beyond the end of the file \(data section is 4162784 bytes\)/));
      await writeFile(weights, Buffer.from([1, 2, 3]));
      await assert.rejects(load(fixture.v6), encoderError('model-invalid', /model\.safetensors in .*base: file is 3 bytes, too short for a safetensors header/));
      await rm(weights);
      await assert.rejects(load(fixture.v6), encoderError('model-not-found', /Cannot find the base model weights in .*base: no model\.safetensors/));
    } finally {
      await writeFile(weights, bytes);
    }
  });

  it('reports adapter/base shape mismatches', async () => {
    const config = join(fixture.base, 'config.json');
    const original = await readFile(config, 'utf8');
    try {
      await editJson(config, (j) => {
        j.hidden_size = 64;
        j.num_attention_heads = 4;
      });
      await assert.rejects(load(fixture.v6), encoderError('model-invalid', /tensor bert\.embeddings\.word_embeddings\.weight has shape \[30522, 32\], expected \[30522, 64\] as config\.json implies/));
    } finally {
      await writeFile(config, original);
    }
    const adapterConfig = join(fixture.v6, 'adapter_config.json');
    const adapterOriginal = await readFile(adapterConfig, 'utf8');
    try {
      await editJson(adapterConfig, (j) => void (j.r = 4));
      await assert.rejects(load(fixture.v6), encoderError('model-invalid', /adapter_model\.safetensors in .*: tensor base_model\.model\.bert\.encoder\.layer\.0\.attention\.self\.query\.lora_A\.weight has shape \[8, 32\], expected \[r=4, in_features=32\]/));
    } finally {
      await writeFile(adapterConfig, adapterOriginal);
    }
  });

  it('names unsupported architectures, module types and adapter features', async () => {
    const f = await copyFixture();
    try {
      await editJson(join(f.base, 'config.json'), (j) => void (j.architectures = ['BertForSequenceClassification']));
      await assert.rejects(load(f.v6), encoderError('model-unsupported', /architecture "BertForSequenceClassification" is not supported/));
      await editJson(join(f.v5, 'modules.json'), (j) => void (j[1].type = 'sentence_transformers.sparse_encoder.models.SparseStaticEmbedding'));
      await assert.rejects(load(f.v5), encoderError('model-unsupported', /module 1 of type "sentence_transformers\.sparse_encoder\.models\.SparseStaticEmbedding" is not supported/));
      await editJson(join(f.v6, 'adapter_config.json'), (j) => void (j.use_dora = true));
      await assert.rejects(load(f.v6), encoderError('model-unsupported', /adapter_config\.json in .*: DoRA \(use_dora\) is not supported/));
    } finally {
      await f.dispose();
    }
  });

  it('falls back to the CPU when a GPU provider cannot load, and says why', async (t) => {
    const plan = await planExecutionProviders('cuda');
    if (!plan.steps[0]!.problem) {
      t.skip('CUDA may work here');
      return;
    }
    const encoder = await load(FIXTURE_V6, { device: 'cuda' });
    try {
      assert.equal(encoder.executionProvider.requested, 'cuda');
      assert.equal(encoder.executionProvider.provider, 'cpu');
      assert.match(encoder.executionProvider.fallbackReason!, /^cuda failed: /);
      assert.match(encoder.executionProvider.runtime, /onnxruntime-node/);
      const [vector] = await encoder.encodeQuery([suite.expected.queries[0]!]);
      compareVector(vector!, suite.expected.query[0]!, 'fallback');
    } finally {
      await encoder.dispose();
    }
  });

  it('rejects bad options', async () => {
    await assert.rejects(load(FIXTURE_V6, { batchSize: 0 }), encoderError('invalid-option', /batch size 0 is not a positive integer/));
    await assert.rejects(load(FIXTURE_V6, { maxActiveDims: -1 }), encoderError('invalid-option', /maxActiveDims -1 is not a positive integer/));
  });

  it('applies maxActiveDims: the k largest weights of the full vector', async () => {
    const encoder = await load(FIXTURE_V6, { maxActiveDims: 10 });
    try {
      const [vector] = await encoder.encodeDocument([suite.expected.texts[0]!]);
      assert.equal(vector!.indices.length, 10);
      const top = suite.expected.decode[0]!.map(([, w]) => w).sort((a, b) => a - b);
      assert.deepEqual([...vector!.values].sort((a, b) => a - b).map((w) => w.toFixed(5)), top.map((w) => w.toFixed(5)));
    } finally {
      await encoder.dispose();
    }
  });
});
