import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildBertGraph } from '../../app/encoder/onnx/bert-graph.js';
import { DataType, encodeModel, type OnnxModel, type OnnxTensor } from '../../app/encoder/onnx/onnx-proto.js';
import { quantizeForCpu, quantizePerColumn, type CpuInt8Options } from '../../app/encoder/onnx/quantize-weights.js';
import { encoderSessionOptions } from '../../app/encoder/onnx-runner.js';
import { loadOnnxRuntime, type OnnxRuntimeModule } from '../../app/onnxruntime/index.js';
import { encodeTexts, loadFixture, type LoadedFixture } from '../bench/fixture-encoding.js';
import { randomNormal } from '../bench/random-splade-model.js';
import { compareEncodings } from '../bench/sparse-agreement.js';
import { encoderError } from '../helpers/encoder-helpers.js';

const floatTensor = (name: string, dims: number[], values: Float32Array): OnnxTensor => ({ name, dataType: DataType.FLOAT, dims, raw: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) });
const floatsOf = (t: OnnxTensor) => new Float32Array(t.raw.slice().buffer);
const int8sOf = (t: OnnxTensor) => new Int8Array(t.raw.slice().buffer);

function model(nodes: OnnxModel['graph']['nodes'], initializers: OnnxTensor[], inputs: OnnxModel['graph']['inputs'], outputs: OnnxModel['graph']['outputs']): OnnxModel {
  return { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '1', graph: { name: 'g', nodes, initializers, inputs, outputs } };
}

describe('quantizePerColumn', () => {
  it('scales each column by its largest magnitude over 127 and rounds half to even', () => {
    // Row-major [K=2, N=2]: column 0 = [1, 0.5], column 1 = [-2, 4].
    const { values, scales } = quantizePerColumn(Float32Array.from([1, -2, 0.5, 4]), 2, 2);
    assert.deepEqual([...scales], [Math.fround(1 / 127), Math.fround(4 / 127)]);
    // 0.5 / (1/127) = 63.5 -> 64; -2 / (4/127) = -63.5 -> -64 (both to even).
    assert.deepEqual([...values], [127, -64, 64, 127]);
  });

  it('keeps scale 1 for an all-zero column, limits to ±63 with reduceRange, and rejects bad input', () => {
    const zero = quantizePerColumn(Float32Array.from([0, 3, 0, -6]), 2, 2);
    assert.deepEqual([...zero.scales].map((s) => Number(s.toFixed(6))), [1, Number((6 / 127).toFixed(6))]);
    assert.deepEqual([...zero.values], [0, 64, 0, -127]);
    const reduced = quantizePerColumn(Float32Array.from([1, -1]), 1, 2, true);
    assert.deepEqual([...reduced.values], [63, -63]);
    assert.throws(() => quantizePerColumn(new Float32Array(5), 2, 2), /5 values do not make a \[2, 2\] matrix/);
    assert.throws(() => quantizePerColumn(Float32Array.from([1, NaN]), 2, 1), encoderError('model-invalid', /column 0 holds a non-finite weight/));
  });
});

describe('quantizeForCpu graph rewrite', () => {
  // ids -> Gather(table) -> Attention(W, bias, mask) -> MatMul(W2) -> Gemm(table, transB) -> out
  const H = 4;
  const V = 12;
  const table = randomNormal(V * H, 0.5, 0, 1);
  const qkv = randomNormal(H * 3 * H, 0.5, 0, 2);
  const w2 = randomNormal(H * H, 0.5, 0, 3);
  const build = () =>
    model(
      [
        { opType: 'Gather', inputs: ['table', 'ids'], outputs: ['x'] },
        { opType: 'Attention', domain: 'com.microsoft', name: 'attention_node', inputs: ['x', 'qkv', 'qkv_bias', 'mask'], outputs: ['a'], attributes: [{ name: 'num_heads', type: 'int', value: 2 }] },
        { opType: 'MatMul', name: 'dense_node', inputs: ['a', 'w2'], outputs: ['d'] },
        { opType: 'Gemm', name: 'decoder_node', inputs: ['d', 'table'], outputs: ['logits'], attributes: [{ name: 'transB', type: 'int', value: 1 }] },
      ],
      [floatTensor('table', [V, H], table), floatTensor('qkv', [H, 3 * H], qkv), floatTensor('qkv_bias', [3 * H], new Float32Array(3 * H)), floatTensor('w2', [H, H], w2)],
      [
        { name: 'ids', elemType: DataType.INT64, shape: ['batch', 'sequence'] },
        { name: 'mask', elemType: DataType.INT32, shape: ['batch', 'sequence'] },
      ],
      [{ name: 'logits', elemType: DataType.FLOAT, shape: ['tokens', V] }],
    );

  it('replaces each weight product and keeps a table a Gather still reads', () => {
    const original = build();
    const before = JSON.stringify(original.graph.nodes);
    const { model: q, summary } = quantizeForCpu(original, { decoderMinColumns: 10 });
    assert.equal(JSON.stringify(original.graph.nodes), before, 'the input model is not changed');
    assert.deepEqual(summary.quantized, { Attention: 1, MatMul: 1, Gemm: 1 });
    assert.deepEqual(summary.keptFloat, []);
    assert.deepEqual(
      q.graph.nodes.map((n) => `${n.domain ?? ''}:${n.opType}`),
      [':Gather', ':DynamicQuantizeLinear', 'com.microsoft:QAttention', 'com.microsoft:DynamicQuantizeMatMul', 'com.microsoft:DynamicQuantizeMatMul'],
    );
    assert.ok(q.opsetImports.some((o) => o.domain === 'com.microsoft'));
    const init = new Map(q.graph.initializers.map((t) => [t.name, t]));
    // The Gather's table stays; the float32 QKV and dense weights are gone.
    assert.ok(init.has('table'));
    assert.ok(!init.has('qkv') && !init.has('w2'));
    // QAttention: (x_uint8, W int8, bias, x_scale, W scales, mask, x_zero_point), fed by DynamicQuantizeLinear(x).
    const [quantize, attention, dense, decoder] = q.graph.nodes.slice(1);
    assert.deepEqual(quantize!.inputs, ['x']);
    assert.deepEqual(attention!.inputs, [quantize!.outputs[0], attention!.inputs[1], 'qkv_bias', quantize!.outputs[1], attention!.inputs[4], 'mask', quantize!.outputs[2]]);
    assert.deepEqual(attention!.outputs, ['a']);
    assert.deepEqual(init.get(attention!.inputs[1]!)!.dims, [H, 3 * H]);
    assert.equal(init.get(attention!.inputs[1]!)!.dataType, DataType.INT8);
    assert.deepEqual(init.get(attention!.inputs[4]!)!.dims, [3 * H]);
    assert.deepEqual(dense!.inputs.slice(0, 1), ['a']);
    assert.deepEqual(dense!.outputs, ['d']);
    // The decoder reads an int8 [H, V] copy: column v is table row v.
    const decoderWeight = init.get(decoder!.inputs[1]!)!;
    assert.deepEqual(decoderWeight.dims, [H, V]);
    const values = int8sOf(decoderWeight);
    const scales = floatsOf(init.get(decoder!.inputs[2]!)!);
    for (let v = 0; v < V; v++) {
      for (let h = 0; h < H; h++) assert.ok(Math.abs(values[h * V + v]! * scales[v]! - table[v * H + h]!) <= scales[v]! / 2 + 1e-7, `decoder weight [${h}, ${v}]`);
    }
  });

  it('leaves the attention, the decoder or named nodes in float32 when asked, and says so', () => {
    const cases: Array<[CpuInt8Options, string[], string]> = [
      [{ attention: 'fp32', decoderMinColumns: 10 }, ['Attention', 'DynamicQuantizeMatMul', 'DynamicQuantizeMatMul'], 'attention: fp32'],
      [{ decoder: 'fp32', decoderMinColumns: 10 }, ['QAttention', 'DynamicQuantizeMatMul', 'Gemm'], 'decoder: fp32'],
      [{ keepFloat: /^dense_node$/ }, ['QAttention', 'MatMul', 'DynamicQuantizeMatMul'], 'keepFloat'],
    ];
    for (const [options, ops, reason] of cases) {
      const { model: q, summary } = quantizeForCpu(build(), options);
      assert.deepEqual(q.graph.nodes.filter((n) => n.opType !== 'Gather' && n.opType !== 'DynamicQuantizeLinear').map((n) => n.opType), ops);
      assert.deepEqual(summary.keptFloat.map((k) => k.reason), [reason]);
    }
    const { model: mha } = quantizeForCpu(build(), { attention: 'int8-mha' });
    assert.deepEqual(mha.graph.nodes.map((n) => n.opType), ['Gather', 'DynamicQuantizeMatMul', 'Split', 'MultiHeadAttention', 'DynamicQuantizeMatMul', 'DynamicQuantizeMatMul']);
  });

  it('refuses a graph without weight products', () => {
    const plain = model([{ opType: 'Relu', inputs: ['x'], outputs: ['y'] }], [], [{ name: 'x', elemType: DataType.FLOAT, shape: [2] }], [{ name: 'y', elemType: DataType.FLOAT, shape: [2] }]);
    assert.throws(() => quantizeForCpu(plain), /graph "g" has no weight product to quantize/);
  });
});

/** onnxruntime's dynamic quantization of A (per tensor, uint8, range widened to include 0), emulated. */
function quantizeActivations(a: Float32Array): { q: Uint8Array; scale: number; zero: number } {
  let min = 0;
  let max = 0;
  for (const x of a) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const scale = Math.fround((max - min) / 255);
  const evenRound = (x: number) => (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x));
  const zero = evenRound(Math.min(255, Math.max(0, -min / scale)));
  const q = Uint8Array.from(a, (x) => Math.min(255, Math.max(0, evenRound(x / scale) + zero)));
  return { q, scale, zero };
}

describe('int8 graphs on onnxruntime (CPU)', () => {
  let ort: OnnxRuntimeModule;
  const options = () => ({ ...encoderSessionOptions({ threads: 2 }), executionProviders: ['cpu'] });
  before(async () => {
    ({ ort } = await loadOnnxRuntime({ useCudaPack: false }));
  });

  it('computes MatMul and transposed-weight Gemm as int8 arithmetic with the weights laid out right', async () => {
    const [M, K, N] = [24, 64, 40];
    const a = randomNormal(M * K, 1, 0.3, 11);
    const w = randomNormal(K * N, 0.05, 0, 12); // [K, N] for MatMul
    const wT = new Float32Array(N * K); // [N, K] for Gemm transB
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) wT[n * K + k] = w[k * N + n]!;
    const bias = randomNormal(N, 0.1, 0, 13);
    const graph = model(
      [
        { opType: 'MatMul', inputs: ['a', 'w'], outputs: ['y1'] },
        { opType: 'Gemm', inputs: ['a', 'wT', 'bias'], outputs: ['y2'], attributes: [{ name: 'transB', type: 'int', value: 1 }] },
      ],
      [floatTensor('w', [K, N], w), floatTensor('wT', [N, K], wT), floatTensor('bias', [N], bias)],
      [{ name: 'a', elemType: DataType.FLOAT, shape: [M, K] }],
      [
        { name: 'y1', elemType: DataType.FLOAT, shape: [M, N] },
        { name: 'y2', elemType: DataType.FLOAT, shape: [M, N] },
      ],
    );
    const { model: q } = quantizeForCpu(graph);
    const session = await ort.InferenceSession.create(encodeModel(q).toBytes(), options());
    const result = await session.run({ a: new ort.Tensor('float32', a, [M, K]) });
    await session.release();
    const y1 = result.y1!.data as Float32Array;
    const y2 = result.y2!.data as Float32Array;

    const qa = quantizeActivations(a);
    const qw = quantizePerColumn(w, K, N);
    let maxQuantizationError = 0;
    let largest = 0;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let integer = 0;
        let exact = 0;
        let maxW = 0;
        for (let k = 0; k < K; k++) {
          integer += (qa.q[m * K + k]! - qa.zero) * qw.values[k * N + n]!;
          exact += a[m * K + k]! * w[k * N + n]!;
          maxW = Math.max(maxW, Math.abs(qw.values[k * N + n]!));
        }
        const expected = integer * qa.scale * qw.scales[n]!;
        // One quantization step of A in one term at most (the kernel's float rounding), plus float32 rounding.
        const tolerance = qa.scale * qw.scales[n]! * maxW * 1.01 + 1e-5;
        assert.ok(Math.abs(y1[m * N + n]! - expected) <= tolerance, `MatMul [${m}, ${n}]: ${y1[m * N + n]} vs ${expected}`);
        assert.ok(Math.abs(y2[m * N + n]! - (expected + bias[n]!)) <= tolerance + 1e-6, `Gemm [${m}, ${n}]: ${y2[m * N + n]} vs ${expected + bias[n]!}`);
        maxQuantizationError = Math.max(maxQuantizationError, Math.abs(y1[m * N + n]! - exact));
        largest = Math.max(largest, Math.abs(exact));
      }
    }
    // And it is a product of A and W at all: within a few percent of the float result.
    assert.ok(maxQuantizationError < 0.03 * largest, `int8 error ${maxQuantizationError} against largest ${largest}`);
  });

  describe('on the splade-tiny fixture', () => {
    let fixture: LoadedFixture;
    before(async () => {
      fixture = await loadFixture();
    });
    const encodeAll = async (graph: OnnxModel) => {
      const session = await ort.InferenceSession.create(encodeModel(graph).toBytes(), options());
      try {
        return {
          documents: await encodeTexts(ort, session, fixture, fixture.expected.texts, fixture.model.documentPrompt),
          queries: await encodeTexts(ort, session, fixture, fixture.expected.queries, fixture.model.queryPrompt),
        };
      } finally {
        await session.release();
      }
    };

    it('stays close to sentence-transformers: similarities within 1%, same best document per query, top terms kept', async () => {
      const { model: q, summary } = quantizeForCpu(fixture.graph);
      assert.deepEqual(summary.quantized, { Attention: 2, MatMul: 7, Gemm: 1 });
      assert.deepEqual(summary.keptFloat, []);
      const int8 = await encodeAll(q);
      const agreement = compareEncodings(fixture.documents, int8.documents, { reference: fixture.queries, candidate: int8.queries });
      // It is int8: not the float32 result (which matches within 1e-6).
      assert.ok(agreement.maxAbsError > 1e-4, `int8 weights equal the float32 ones (${agreement.maxAbsError})`);
      // Measured 2026-11-27: 2.8e-2, 0.20% mean / 0.59% max, 99.6% of pairs, top-10 overlap 99.2%, active dims 0.4%.
      assert.ok(agreement.maxAbsErrorOverLargest < 0.06, `max error ${agreement.maxAbsErrorOverLargest} of the largest weight`);
      assert.ok(agreement.similarity.meanRelativeError < 0.005, `similarity error ${agreement.similarity.meanRelativeError}`);
      assert.ok(agreement.similarity.maxRelativeError < 0.015, `similarity error ${agreement.similarity.maxRelativeError}`);
      assert.equal(agreement.similarity.sameBest, fixture.queries.length);
      assert.ok(agreement.similarity.pairOrderAgreement > 0.97, `pair order ${agreement.similarity.pairOrderAgreement}`);
      assert.ok(agreement.top10.meanOverlap > 0.95, `top-10 overlap ${agreement.top10.meanOverlap}`);
      assert.ok(agreement.activeDims.meanRelativeDifference < 0.02, `active dims ${agreement.activeDims.meanRelativeDifference}`);
    });

    it('quantizes the standard-operator graph too (Q, K, V products; the score products stay float32)', async () => {
      const plain = buildBertGraph(fixture.weights, { pooling: fixture.model.pooling, attention: 'plain' });
      const { model: q, summary } = quantizeForCpu(plain);
      assert.deepEqual(summary.quantized, { MatMul: 13, Gemm: 1 });
      assert.equal(q.graph.nodes.filter((n) => n.opType === 'MatMul').length, 4, 'the scores and context products of the two layers');
      const int8 = await encodeAll(q);
      const agreement = compareEncodings(fixture.documents, int8.documents, { reference: fixture.queries, candidate: int8.queries });
      assert.ok(agreement.maxAbsError > 1e-4);
      assert.ok(agreement.similarity.meanRelativeError < 0.005, `similarity error ${agreement.similarity.meanRelativeError}`);
      assert.ok(agreement.top10.meanOverlap > 0.95, `top-10 overlap ${agreement.top10.meanOverlap}`);
    });

    it('gives the same vectors with QAttention as with the MultiHeadAttention form', async () => {
      const a = await encodeAll(quantizeForCpu(fixture.graph).model);
      const b = await encodeAll(quantizeForCpu(fixture.graph, { attention: 'int8-mha' }).model);
      const agreement = compareEncodings(a.documents, b.documents);
      assert.ok(agreement.maxAbsErrorOverLargest < 1e-5, `QAttention vs MultiHeadAttention: ${agreement.maxAbsErrorOverLargest}`);
      assert.equal(agreement.activeDims.meanSymmetricDifference, 0);
    });
  });
});

describe('compareEncodings', () => {
  const v = (entries: Array<[number, number]>) => ({ indices: Int32Array.from(entries.map(([i]) => i)), values: Float32Array.from(entries.map(([, x]) => x)) });
  it('reports no difference between identical encodings and counts what differs', () => {
    const docs = [v([[1, 1], [5, 2]]), v([[1, 0.5], [7, 3]]), v([[5, 1], [7, 1]])];
    const same = compareEncodings(docs, docs);
    assert.equal(same.maxAbsError, 0);
    assert.equal(same.similarity.meanRelativeError, 0);
    assert.equal(same.similarity.pairOrderAgreement, 1);
    assert.equal(same.top10.identical, 3);
    assert.equal(same.similarity.pairs, 3);
    const changed = [v([[1, 1], [5, 2]]), v([[1, 0.5], [7, 3], [9, 0.25]]), v([[5, 1.5], [7, 1]])];
    const diff = compareEncodings(docs, changed);
    assert.equal(diff.maxAbsError, 0.5);
    assert.equal(diff.largestWeight, 3);
    assert.equal(diff.activeDims.meanSymmetricDifference, 1 / 3);
    assert.equal(diff.top10.identical, 2);
    assert.ok(diff.similarity.maxRelativeError > 0);
  });
});
