import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { SparseEncoder, type SparseVector } from '../../app/encoder/index.js';
import { readModelFolder } from '../../app/encoder/model-folder.js';
import { loadBertWeights } from '../../app/encoder/model-weights.js';
import { buildBertGraph } from '../../app/encoder/onnx/bert-graph.js';
import { encodeModel } from '../../app/encoder/onnx/onnx-proto.js';
import type { SpladePoolingConfig } from '../../app/encoder/splade-pooling.js';
import { BertTokenizer, padBatch } from '../../app/encoder/tokenizer/index.js';
import { checkParity, copyFixture, editJson, FIXTURE_BASE, FIXTURE_V6, readExpected, tempFolder, type Expected, encoderError } from '../helpers/encoder-helpers.js';

const V = 30522;

/** A plain masked-LM graph (output `logits`) of the fixture's merged weights, as optimum would export it. */
async function logitsGraph(): Promise<Uint8Array> {
  const model = await readModelFolder(FIXTURE_V6);
  if (model.weights.format !== 'safetensors') throw new Error('fixture has safetensors weights');
  const { weights } = await loadBertWeights(model.weights.files, model.weights.bertConfig, model.adapter);
  return encodeModel(buildBertGraph(weights, { pooling: 'none' })).toBytes();
}

/** sentence-transformers' SpladePooling in float32 arithmetic, from full logits. */
function referencePooling(logits: Float32Array, mask: BigInt64Array, batch: number, seq: number, pooling: SpladePoolingConfig): SparseVector[] {
  const rows: SparseVector[] = [];
  for (let b = 0; b < batch; b++) {
    const out = new Float32Array(V);
    for (let s = 0; s < seq; s++) {
      const m = Number(mask[b * seq + s]);
      for (let v = 0; v < V; v++) {
        let x = Math.fround(Math.log1p(Math.max(0, logits[(b * seq + s) * V + v]! * m)));
        if (pooling.activation === 'log1p_relu') x = Math.fround(Math.log1p(x));
        out[v] = pooling.strategy === 'max' ? Math.max(out[v]!, x) : Math.fround(out[v]! + x);
      }
    }
    const indices: number[] = [];
    const values: number[] = [];
    out.forEach((x, v) => x > 0 && (indices.push(v), values.push(x)));
    rows.push({ indices: Int32Array.from(indices), values: Float32Array.from(values) });
  }
  return rows;
}

function maxDifference(a: SparseVector, b: SparseVector): number {
  const dense = new Float64Array(V);
  a.indices.forEach((i, k) => (dense[i] = a.values[k]!));
  b.indices.forEach((i, k) => (dense[i] = dense[i]! - b.values[k]!));
  return dense.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
}

describe('pooling variants and ready-made ONNX exports', () => {
  let expected: Expected;
  let cache: Awaited<ReturnType<typeof tempFolder>>;
  let exportBytes: Uint8Array;
  let references: Map<string, SparseVector[]>;
  const texts = ['Copic Ink is alcohol-based and flammable.', '', 'what are the 5 characteristics of a star?'];
  const variants: SpladePoolingConfig[] = [
    { strategy: 'max', activation: 'relu' },
    { strategy: 'max', activation: 'log1p_relu' },
    { strategy: 'sum', activation: 'relu' },
    { strategy: 'sum', activation: 'log1p_relu' },
  ];

  before(async () => {
    expected = await readExpected();
    cache = await tempFolder('splade-pooling-cache-');
    exportBytes = await logitsGraph();
    // Reference: full logits from the plain graph, pooled in JS as sentence-transformers does.
    const session = await ort.InferenceSession.create(exportBytes);
    const tokenizer = await BertTokenizer.fromFolder(FIXTURE_V6);
    const batch = padBatch(texts.map((t) => tokenizer.encodeIds(t)));
    const dims = [batch.batchSize, batch.sequenceLength];
    const result = await session.run({
      input_ids: new ort.Tensor('int64', batch.inputIds, dims),
      attention_mask: new ort.Tensor('int64', batch.attentionMask, dims),
      token_type_ids: new ort.Tensor('int64', batch.tokenTypeIds, dims),
    });
    const logits = result.logits!.data as Float32Array;
    references = new Map(variants.map((p) => [`${p.strategy}/${p.activation}`, referencePooling(logits, batch.attentionMask, batch.batchSize, batch.sequenceLength, p)]));
    await session.release();
  });
  after(() => cache.dispose());

  for (const pooling of variants) {
    it(`builds ${pooling.strategy} pooling with ${pooling.activation} from weights`, async () => {
      const f = await copyFixture();
      try {
        await editJson(join(f.v6, '1_SpladePooling', 'config.json'), (j) => {
          j.pooling_strategy = pooling.strategy;
          j.activation_function = pooling.activation;
        });
        const encoder = await SparseEncoder.load(f.v6, { device: 'cpu', cacheDir: cache.path });
        try {
          const vectors = await encoder.encodeDocument(texts);
          const reference = references.get(`${pooling.strategy}/${pooling.activation}`)!;
          vectors.forEach((v, i) => {
            assert.ok(maxDifference(v, reference[i]!) <= 1e-5, `text ${i}: ${maxDifference(v, reference[i]!)}`);
            // Same active dimensions, apart from reference weights too small to matter.
            const ref = new Set(reference[i]!.indices);
            v.indices.forEach((index, k) => assert.ok(ref.has(index) || v.values[k]! < 1e-6));
          });
        } finally {
          await encoder.dispose();
        }
      } finally {
        await f.dispose();
      }
    });
  }

  /** A folder with a ready-made export (`onnx/model.onnx`) instead of weights, plus the ST configs and tokenizer. */
  async function exportFolder(bytes: Uint8Array, pooling?: SpladePoolingConfig): Promise<string> {
    const folder = join(cache.path, `export-${pooling ? `${pooling.strategy}-${pooling.activation}` : 'default'}-${Math.random().toString(36).slice(2)}`);
    await cp(FIXTURE_V6, folder, { recursive: true });
    await rm(join(folder, 'adapter_config.json'));
    await rm(join(folder, 'adapter_model.safetensors'));
    await cp(join(FIXTURE_BASE, 'config.json'), join(folder, 'config.json'));
    await mkdir(join(folder, 'onnx'));
    await writeFile(join(folder, 'onnx', 'model.onnx'), bytes);
    if (pooling) {
      await editJson(join(folder, '1_SpladePooling', 'config.json'), (j) => {
        j.pooling_strategy = pooling.strategy;
        j.activation_function = pooling.activation;
      });
    }
    return folder;
  }

  it('accepts a ready-made masked-LM export: logits output replaced by pooling, parity with expected.json', async (t) => {
    const folder = await exportFolder(exportBytes);
    const encoder = await SparseEncoder.load(folder, { device: 'cpu', cacheDir: cache.path });
    try {
      assert.equal(encoder.model.weights.format, 'onnx');
      const maxError = await checkParity(encoder, expected, 'ready-made export');
      t.diagnostic(`max abs weight error ${maxError.toExponential(2)}`);
    } finally {
      await encoder.dispose();
    }
  });

  it('loads a ready-made export whose weights are in an external data file', async (t) => {
    const model = await readModelFolder(FIXTURE_V6);
    if (model.weights.format !== 'safetensors') throw new Error('fixture has safetensors weights');
    const { weights } = await loadBertWeights(model.weights.files, model.weights.bertConfig, model.adapter);
    const onnx = buildBertGraph(weights, { pooling: 'none' });
    // Move every initializer over 64 KiB into onnx/model.onnx_data, as exporters do for large models.
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (const tensor of onnx.graph.initializers) {
      if (tensor.raw.length < 65536) continue;
      tensor.external = { location: 'model.onnx_data', offset, length: tensor.raw.length };
      chunks.push(tensor.raw);
      offset += tensor.raw.length;
    }
    const folder = await exportFolder(encodeModel(onnx).toBytes());
    await writeFile(join(folder, 'onnx', 'model.onnx_data'), Buffer.concat(chunks));
    const encoder = await SparseEncoder.load(folder, { device: 'cpu', cacheDir: cache.path });
    try {
      assert.deepEqual(encoder.onnxModel.externalData, [{ location: 'model.onnx_data', file: join(folder, 'onnx', 'model.onnx_data') }]);
      const maxError = await checkParity(encoder, expected, 'export with external data');
      t.diagnostic(`max abs weight error ${maxError.toExponential(2)}`);
    } finally {
      await encoder.dispose();
    }
  });

  it('appends sum pooling with log1p_relu to a ready-made export', async () => {
    const pooling: SpladePoolingConfig = { strategy: 'sum', activation: 'log1p_relu' };
    const encoder = await SparseEncoder.load(await exportFolder(exportBytes, pooling), { device: 'cpu', cacheDir: cache.path });
    try {
      const vectors = await encoder.encodeDocument(texts);
      const reference = references.get('sum/log1p_relu')!;
      vectors.forEach((v, i) => assert.ok(maxDifference(v, reference[i]!) <= 1e-5));
    } finally {
      await encoder.dispose();
    }
  });

  it('rejects precision int8 for a ready-made export (its weights are not ours to quantize), naming the folder', async () => {
    const folder = await exportFolder(exportBytes);
    await assert.rejects(
      SparseEncoder.load(folder, { device: 'cpu', precision: 'int8', cacheDir: cache.path }),
      (error: unknown) => encoderError('precision-unsupported')(error) && (error as Error).message.includes(folder),
    );
  });

  it('rejects an export without a logits output, naming the file', async () => {
    const other = encodeModel({
      irVersion: 8,
      opsetImports: [{ domain: '', version: 17 }],
      producerName: 'test',
      producerVersion: '1',
      graph: {
        name: 'g',
        nodes: [{ opType: 'Identity', inputs: ['input_ids'], outputs: ['last_hidden_state'] }],
        initializers: [],
        inputs: [{ name: 'input_ids', elemType: 7, shape: ['b', 's'] }],
        outputs: [{ name: 'last_hidden_state', elemType: 7, shape: ['b', 's'] }],
      },
    }).toBytes();
    await assert.rejects(
      SparseEncoder.load(await exportFolder(other), { device: 'cpu', cacheDir: cache.path }),
      encoderError('model-unsupported', /model\.onnx in .*onnx: has no output named "logits"/),
    );
  });
});
