/**
 * The WebGPU graph forms and the precision option, on the CPU provider (so they run everywhere, GPU or not): every
 * WebGPU form computes what the CPU form computes, the default WebGPU form takes int32 ids and mask only, and the
 * precision setting is validated, applied and reported (`executionProvider.precision`), through the API and the CLI.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCliCaptured } from '../helpers/run-cli.js';
import { SparseEncoder, type PrecisionSetting } from '../../app/encoder/index.js';
import { readModelFolder, type SpladeModelFolder } from '../../app/encoder/model-folder.js';
import { loadBertWeights } from '../../app/encoder/model-weights.js';
import type { BertWeights } from '../../app/encoder/bert-weights.js';
import { buildBertGraph, type AttentionKind, type WebGpuGraphTuning } from '../../app/encoder/onnx/bert-graph.js';
import { encodeModel } from '../../app/encoder/onnx/onnx-proto.js';
import { runDenseBatch } from '../../app/encoder/onnx-runner.js';
import { BertTokenizer, padBatch, type TokenBatch } from '../../app/encoder/tokenizer/index.js';
import { loadOnnxRuntime, type OnnxRuntimeModule } from '../../app/onnxruntime/index.js';
import { FIXTURE_V6, readExpected, useEncoderFixture, encoderError } from '../helpers/encoder-helpers.js';
import type { FloatPrecision } from '../../app/encoder/precision.js';

/** The float16 tolerance of encoder-gpu-webgpu.test.ts: 30 units of float16 roundoff, of each vector's largest weight. */
const FP16_TOLERANCE = 30 * 2 ** -11;

describe('WebGPU graph forms on the CPU provider', () => {
  let ort: OnnxRuntimeModule;
  let model: SpladeModelFolder;
  let weights: BertWeights;
  let batch: TokenBatch;
  let reference: Float32Array;

  const run = async (options: { precision: FloatPrecision; attention?: AttentionKind; target?: 'cpu' | 'webgpu'; webgpu?: WebGpuGraphTuning }) => {
    const bytes = encodeModel(buildBertGraph(weights, { pooling: model.pooling, ...options })).toBytes();
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], logSeverityLevel: 3 });
    try {
      const inputs = session.inputMetadata.map((m) => `${m.name}:${m.isTensor ? m.type : '?'}`);
      return { inputs, output: (await runDenseBatch(ort, session, 'pooled_logits', batch)).data };
    } finally {
      await session.release();
    }
  };

  before(async () => {
    ort = (await loadOnnxRuntime({ useCudaPack: false })).ort;
    model = await readModelFolder(FIXTURE_V6);
    if (model.weights.format !== 'safetensors') throw new Error('the fixture has safetensors weights');
    weights = (await loadBertWeights(model.weights.files, model.weights.bertConfig, model.adapter)).weights;
    const tokenizer = await BertTokenizer.fromFolder(model.tokenizerFolder, { maxLength: model.maxSeqLength });
    const expected = await readExpected();
    batch = padBatch(expected.texts.map((text) => tokenizer.encodeIds(model.documentPrompt + text.toLowerCase())));
    reference = (await run({ precision: 'fp32' })).output;
  });

  it('the default WebGPU form takes int32 input_ids and attention_mask only; the int64 form also token_type_ids', async () => {
    assert.deepEqual((await run({ precision: 'fp16', target: 'webgpu' })).inputs, ['input_ids:int32', 'attention_mask:int32']);
    assert.deepEqual((await run({ precision: 'fp16', target: 'webgpu', webgpu: { inputs: 'int64' } })).inputs, ['input_ids:int64', 'attention_mask:int64', 'token_type_ids:int64']);
  });

  const forms: Array<[string, WebGpuGraphTuning]> = [
    ['default (int32 inputs, transposed-logits decoder)', {}],
    ['int64 inputs', { inputs: 'int64' }],
    ['decoder on [B, S, V] logits', { decoder: 'matmul' }],
    ['decoder as Gemm', { decoder: 'gemm' }],
    ['vocabulary in 3 chunks', { decoderChunks: 3 }],
    ['MultiHeadAttention', { attentionOp: 'mha' }],
    ['FFN in 4 groups', { ffnSplit: 4 }],
    ['FFN in 2 groups, vocabulary in 2 chunks, float32 head', { ffnSplit: 2, decoderChunks: 2, float32Head: true }],
  ];
  for (const attention of ['fused', 'plain'] as const) {
    it(`every WebGPU form (${attention} attention) computes the CPU form's output in float32, within 1e-5`, async (t) => {
      const errors: string[] = [];
      for (const [label, webgpu] of forms) {
        const { output } = await run({ precision: 'fp32', attention, target: 'webgpu', webgpu });
        assert.equal(output.length, reference.length, label);
        let worst = 0;
        output.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - reference[i]!))));
        assert.ok(worst <= 1e-5, `${label}: max difference ${worst}`);
        errors.push(`${label} ${worst.toExponential(1)}`);
      }
      t.diagnostic(errors.join('; '));
    });
  }

  it('the float16 WebGPU forms stay within the float16 tolerance of the float32 output (CPU provider)', async () => {
    const scale = reference.reduce((a, b) => Math.max(a, b), 0);
    for (const [label, webgpu] of [forms[0]!, forms[6]!, forms[7]!]) {
      const { output } = await run({ precision: 'fp16', attention: 'fused', target: 'webgpu', webgpu });
      let worst = 0;
      output.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - reference[i]!))));
      assert.ok(worst <= FP16_TOLERANCE * scale, `${label}: max difference ${worst} (largest logit ${scale})`);
    }
  });
});

describe('the precision option', () => {
  const suite = useEncoderFixture('splade-precision-cache-');

  it('auto is float32 on the CPU provider, and says so in executionProvider', async () => {
    for (const precision of [undefined, 'auto'] as const) {
      const encoder = await SparseEncoder.load(FIXTURE_V6, { device: 'cpu', cacheDir: suite.cacheDir, ...(precision ? { precision } : {}) });
      try {
        assert.equal(encoder.executionProvider.provider, 'cpu');
        assert.equal(encoder.executionProvider.precision, 'fp32');
        assert.equal(encoder.executionProvider.graphTarget, 'cpu');
      } finally {
        await encoder.dispose();
      }
    }
  });

  it('fp16 runs the float16 graph on the CPU provider too, within the float16 tolerance of sentence-transformers', async (t) => {
    const encoder = await SparseEncoder.load(FIXTURE_V6, { device: 'cpu', cacheDir: suite.cacheDir, precision: 'fp16' });
    try {
      assert.equal(encoder.executionProvider.precision, 'fp16');
      assert.equal(encoder.executionProvider.graphTarget, 'cpu');
      const vectors = await encoder.encodeDocument(suite.expected.texts);
      let worst = 0;
      vectors.forEach((vector, d) => {
        const reference = suite.expected.document[d]!;
        const ref = new Map(reference.indices.map((index, k) => [index, reference.values[k]!]));
        const mine = new Map(Array.from(vector.indices, (index, k) => [index, vector.values[k]!]));
        let error = 0;
        for (const index of new Set([...ref.keys(), ...mine.keys()])) error = Math.max(error, Math.abs((mine.get(index) ?? 0) - (ref.get(index) ?? 0)));
        const scale = Math.max(...reference.values);
        assert.ok(error <= FP16_TOLERANCE * scale, `document ${d}: error ${error} > ${FP16_TOLERANCE} × ${scale}`);
        worst = Math.max(worst, error / scale);
      });
      t.diagnostic(`largest error ${worst.toExponential(2)} of a vector's largest weight`);
    } finally {
      await encoder.dispose();
    }
  });

  it('refuses a precision it does not know, naming the choices', async () => {
    await assert.rejects(SparseEncoder.load(FIXTURE_V6, { device: 'cpu', cacheDir: suite.cacheDir, precision: 'fp8' as PrecisionSetting }), encoderError('invalid-option', /precision "fp8" is not one of auto, fp32, fp16/));
  });

  it('encode --precision fp16 on the CPU: the same top terms as float32 for the fixture documents; a bad value is a usage error', async () => {
    const cli = (argv: string[], input: string) => runCliCaptured(argv, { input, env: { ...process.env, SPLADE_CACHE_DIR: suite.cacheDir } });
    const input = suite.expected.texts.slice(0, 4).map((t) => JSON.stringify(t)).join('\n') + '\n';
    const result = await cli(['encode', '--device', 'cpu', '--precision', 'fp16', '--model', FIXTURE_V6, '--top-k', '3'], input);
    assert.equal(result.code, 0, result.stderr);
    result.stdout.trim().split('\n').forEach((line, d) => {
      const { terms } = JSON.parse(line) as { terms: Array<[string, number]> };
      assert.deepEqual(terms.map(([token]) => token), suite.expected.decode[d]!.slice(0, 3).map(([token]) => token), `document ${d}`);
    });
    const bad = await cli(['encode', '--device', 'cpu', '--precision', 'fp8', '--model', FIXTURE_V6], input);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--precision must be one of auto, fp32, fp16, int8, got "fp8"/);
  });
});
