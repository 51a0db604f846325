/**
 * The graph cache is keyed by BERT_GRAPH_VERSION / WEBGPU_GRAPH_VERSION, not by the builder's code: a change to the
 * bytes the builder writes must come with a version bump, or users keep running stale cached graphs. This pins the
 * SHA-256 (first 16 hex digits) of each graph form built from the fixture; when a change is deliberate, bump the
 * version and record the new hashes here.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readModelFolder } from '../../app/encoder/model-folder.js';
import { loadBertWeights } from '../../app/encoder/model-weights.js';
import { BERT_GRAPH_VERSION, buildBertGraph, WEBGPU_GRAPH_VERSION, type BertGraphOptions } from '../../app/encoder/onnx/bert-graph.js';
import { encodeModel, type OnnxModel } from '../../app/encoder/onnx/onnx-proto.js';
import { quantizeForCpu } from '../../app/encoder/onnx/quantize-weights.js';
import { FIXTURE_V6 } from '../helpers/encoder-helpers.js';

/** The versions the hashes below were recorded at. */
const PINNED = { bert: '1', webgpu: '3' };
const HASHES: Record<string, string> = {
  'cpu-fp32-fused': 'bb69d5a19f203e87',
  'cpu-fp32-plain': '23ab90dc866361a7',
  'cpu-fp16-fused': '6cb01a4324c528f9',
  'cpu-fp32-fused-none': '731734453299dd2d',
  'cpu-fp32-fused-sum-l2': '98b164fb637f46c2',
  'cpu-fp32-fused-int8': '3601a0cb8b25105c',
  'webgpu-fp16-fused': '0317367e8d3113a7',
  'webgpu-fp32-fused': '136def66a5777ce3',
  'webgpu-fp16-fused-mha': '2deb1adf1a54fa97',
  'webgpu-fp16-fused-matmul': '471174857491130e',
  'webgpu-fp16-fused-int64': '2ed4dc58e0ce4c62',
  'webgpu-fp16-fused-f32head': 'ba5bdf0e71b0d16b',
  'webgpu-fp16-fused-ffn2': 'e1bdb1e68ff7072b',
  'webgpu-fp16-plain-ffn2': '2ddb63975e6e3e86',
  'webgpu-fp16-plain': '81c5a0471c83701d',
};

const hash = (model: OnnxModel) => createHash('sha256').update(encodeModel(model).toBytes()).digest('hex').slice(0, 16);

describe('BERT graph bytes', () => {
  it('each graph form is byte-identical to the one recorded at this builder version', async () => {
    const model = await readModelFolder(FIXTURE_V6);
    if (model.weights.format !== 'safetensors') throw new Error('the fixture has safetensors weights');
    const { weights } = await loadBertWeights(model.weights.files, model.weights.bertConfig, model.adapter);
    const pooling = model.pooling;
    const forms: Record<string, () => OnnxModel> = {
      'cpu-fp32-fused': () => buildBertGraph(weights, { pooling }),
      'cpu-fp32-plain': () => buildBertGraph(weights, { pooling, attention: 'plain' }),
      'cpu-fp16-fused': () => buildBertGraph(weights, { pooling, precision: 'fp16' }),
      'cpu-fp32-fused-none': () => buildBertGraph(weights, { pooling: 'none' }),
      'cpu-fp32-fused-sum-l2': () => buildBertGraph(weights, { pooling: { ...pooling, strategy: 'sum', activation: 'log1p_relu' } }),
      'cpu-fp32-fused-int8': () => quantizeForCpu(buildBertGraph(weights, { pooling })).model,
    };
    const webgpu = (name: string, options: Omit<BertGraphOptions, 'pooling' | 'target'>) => (forms[name] = () => buildBertGraph(weights, { pooling, target: 'webgpu', ...options }));
    webgpu('webgpu-fp16-fused', { precision: 'fp16' });
    webgpu('webgpu-fp32-fused', { precision: 'fp32' });
    webgpu('webgpu-fp16-fused-mha', { precision: 'fp16', webgpu: { attentionOp: 'mha' } });
    webgpu('webgpu-fp16-fused-matmul', { precision: 'fp16', webgpu: { decoder: 'matmul' } });
    webgpu('webgpu-fp16-fused-int64', { precision: 'fp16', webgpu: { inputs: 'int64' } });
    webgpu('webgpu-fp16-fused-f32head', { precision: 'fp16', webgpu: { float32Head: true } });
    webgpu('webgpu-fp16-fused-ffn2', { precision: 'fp16', webgpu: { ffnSplit: 2 } });
    webgpu('webgpu-fp16-plain-ffn2', { precision: 'fp16', attention: 'plain', webgpu: { ffnSplit: 2 } });
    webgpu('webgpu-fp16-plain', { precision: 'fp16', attention: 'plain' });

    const actual = Object.fromEntries(Object.entries(forms).map(([name, build]) => [name, hash(build())]));
    const changed = Object.keys(HASHES).filter((name) => actual[name] !== HASHES[name]);
    const cpuChanged = changed.filter((name) => name.startsWith('cpu-'));
    const webgpuChanged = changed.filter((name) => name.startsWith('webgpu-'));
    if (BERT_GRAPH_VERSION === PINNED.bert) assert.deepEqual(cpuChanged, [], `CPU graph bytes changed without a BERT_GRAPH_VERSION bump: ${JSON.stringify(actual)}`);
    if (WEBGPU_GRAPH_VERSION === PINNED.webgpu && BERT_GRAPH_VERSION === PINNED.bert) {
      assert.deepEqual(webgpuChanged, [], `WebGPU graph bytes changed without a WEBGPU_GRAPH_VERSION bump: ${JSON.stringify(actual)}`);
    }
    assert.ok(BERT_GRAPH_VERSION !== PINNED.bert || WEBGPU_GRAPH_VERSION !== PINNED.webgpu || changed.length === 0);
  });
});
