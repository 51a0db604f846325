/**
 * Builds the ONNX graph of a BERT masked-LM with SPLADE pooling from its weights: embeddings, encoder layers, MLM
 * head, then pooling over tokens inside the graph so that only `[batch, vocab]` leaves the runtime.
 */
import type { BertLayerWeights, BertWeights, LinearWeights } from '../bert-weights.js';
import type { SpladePoolingConfig } from '../splade-pooling.js';
import { floatAttr, GraphBuilder, intAttr, intsAttr } from './graph-builder.js';
import { DataType, type OnnxModel } from './onnx-proto.js';
import { appendExactLog1p, POOLED_LOGITS_OUTPUT as POOLED_LOGITS, SPARSE_WEIGHTS_OUTPUT as SPARSE_WEIGHTS } from './pooling-nodes.js';

export type Precision = 'fp32' | 'fp16';
/** 'fused': onnxruntime contrib operators (Attention, SkipLayerNormalization, BiasGelu); 'plain': standard ONNX only. */
export type AttentionKind = 'fused' | 'plain';

export interface BertGraphOptions {
  /** Weights and compute type; inputs and outputs stay int64 / float32 either way. Default 'fp32'. */
  precision?: Precision;
  /** Default 'fused'. */
  attention?: AttentionKind;
  /** Pooling inside the graph, or 'none' for a plain masked-LM graph with a `logits` output. */
  pooling: SpladePoolingConfig | 'none';
}

/** Bumped whenever the graph this module builds changes, so that cached graphs are rebuilt. */
export const BERT_GRAPH_VERSION = '1';


const OPSET = 17;
const MS = 'com.microsoft';

function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = w[offset + c]!;
  }
  return out;
}

export function buildBertGraph(weights: BertWeights, options: BertGraphOptions): OnnxModel {
  const precision = options.precision ?? 'fp32';
  const attention = options.attention ?? 'fused';
  const cfg = weights.config;
  const H = cfg.hiddenSize;
  const heads = cfg.numAttentionHeads;
  const V = cfg.vocabSize;
  const g = new GraphBuilder('bert_splade');
  const T = precision === 'fp16' ? DataType.FLOAT16 : DataType.FLOAT;
  const weight = (name: string, dims: number[], values: Float32Array | number[]) =>
    precision === 'fp16' ? g.float16(name, dims, values) : g.float32(name, dims, values);
  const scalarT = (name: string, value: number) => weight(name, [], [value]);

  const ids = g.input('input_ids', DataType.INT64, ['batch', 'sequence']);
  const mask = g.input('attention_mask', DataType.INT64, ['batch', 'sequence']);
  const types = g.input('token_type_ids', DataType.INT64, ['batch', 'sequence']);

  // Embeddings: (word + token type) + position, then LayerNorm (the order of BertEmbeddings).
  const wordTable = weight('word_embeddings', [V, H], weights.wordEmbeddings);
  const word = g.op('Gather', [wordTable, ids], { name: 'word' });
  const typeTable = weight('token_type_embeddings', [cfg.typeVocabSize, H], weights.tokenTypeEmbeddings);
  const tokenType = g.op('Gather', [typeTable, types], { name: 'token_type' });
  const idsShape = g.op('Shape', [ids], { name: 'ids_shape' });
  const seqLen = g.op('Gather', [idsShape, g.int64('one', [], [1])], { name: 'seq_len', attributes: [intAttr('axis', 0)] });
  const positions = g.op('Range', [g.int64('zero', [], [0]), seqLen, g.int64('step', [], [1])], { name: 'positions' });
  const positionTable = weight('position_embeddings', [cfg.maxPositionEmbeddings, H], weights.positionEmbeddings);
  const position = g.op('Gather', [positionTable, positions], { name: 'position' });
  const embeddingSum = g.op('Add', [g.op('Add', [word, tokenType]), position], { name: 'embedding_sum' });
  const layerNorm = (input: string, gamma: Float32Array, beta: Float32Array, name: string) =>
    g.op('LayerNormalization', [input, weight(`${name}.gamma`, [H], gamma), weight(`${name}.beta`, [H], beta)], {
      name,
      attributes: [intAttr('axis', -1), floatAttr('epsilon', cfg.layerNormEps)],
    });
  let x = layerNorm(embeddingSum, weights.embeddingNorm.gamma, weights.embeddingNorm.beta, 'embeddings_norm');

  const matmul = (input: string, linear: LinearWeights, name: string) =>
    g.op('MatMul', [input, weight(`${name}.weight`, [linear.inFeatures, linear.outFeatures], transpose(linear.weight, linear.outFeatures, linear.inFeatures))], { name });
  const bias = (linear: LinearWeights, name: string) => weight(`${name}.bias`, [linear.outFeatures], linear.bias);
  const dense = (input: string, linear: LinearWeights, name: string) => g.op('Add', [matmul(input, linear, name), bias(linear, name)], { name: `${name}_biased` });
  const gelu = (input: string, name: string) => {
    // x * 0.5 * (1 + erf(x / sqrt(2))): the exact GELU, in the form onnxruntime fuses into Gelu.
    const erf = g.op('Erf', [g.op('Div', [input, scalarT(`${name}.sqrt2`, Math.SQRT2)])]);
    const scaled = g.op('Mul', [input, g.op('Add', [erf, scalarT(`${name}.one`, 1)])]);
    return g.op('Mul', [scaled, scalarT(`${name}.half`, 0.5)], { name });
  };

  // Attention mask in the form each attention variant takes.
  let maskIndex = '';
  let maskBias = '';
  if (attention === 'fused') {
    maskIndex = g.op('Cast', [mask], { name: 'mask_int32', attributes: [intAttr('to', DataType.INT32)] });
  } else {
    const maskT = g.op('Cast', [mask], { name: 'mask_float', attributes: [intAttr('to', T)] });
    const inverted = g.op('Sub', [scalarT('mask.one', 1), maskT]);
    const minimum = precision === 'fp16' ? -65504 : -3.4028234663852886e38;
    const additive = g.op('Mul', [inverted, scalarT('mask.min', minimum)]);
    maskBias = g.op('Unsqueeze', [additive, g.int64('mask.axes', [2], [1, 2])], { name: 'mask_bias' });
  }

  const layer = (input: string, w: BertLayerWeights, l: number): string => {
    const p = `layer${l}`;
    let attended: string;
    let afterAttention: string;
    if (attention === 'fused') {
      const qkv = new Float32Array(H * 3 * H);
      const parts = [w.query, w.key, w.value];
      for (let i = 0; i < H; i++) {
        for (let part = 0; part < 3; part++) {
          const src = parts[part]!.weight;
          const rowOffset = i * 3 * H + part * H;
          for (let j = 0; j < H; j++) qkv[rowOffset + j] = src[j * H + i]!;
        }
      }
      const qkvBias = new Float32Array(3 * H);
      parts.forEach((part, k) => qkvBias.set(part.bias, k * H));
      attended = g.op('Attention', [input, weight(`${p}.qkv.weight`, [H, 3 * H], qkv), weight(`${p}.qkv.bias`, [3 * H], qkvBias), maskIndex], {
        domain: MS,
        name: `${p}.attention`,
        attributes: [intAttr('num_heads', heads)],
      });
      afterAttention = g.op('SkipLayerNormalization', [matmul(attended, w.attentionOutput, `${p}.attention_output`), input, weight(`${p}.attention_norm.gamma`, [H], w.attentionNorm.gamma), weight(`${p}.attention_norm.beta`, [H], w.attentionNorm.beta), bias(w.attentionOutput, `${p}.attention_output`)], {
        domain: MS,
        name: `${p}.attention_norm`,
        attributes: [floatAttr('epsilon', cfg.layerNormEps)],
      });
      const intermediate = g.op('BiasGelu', [matmul(afterAttention, w.intermediate, `${p}.intermediate`), bias(w.intermediate, `${p}.intermediate`)], { domain: MS, name: `${p}.gelu` });
      return g.op('SkipLayerNormalization', [matmul(intermediate, w.output, `${p}.output`), afterAttention, weight(`${p}.output_norm.gamma`, [H], w.outputNorm.gamma), weight(`${p}.output_norm.beta`, [H], w.outputNorm.beta), bias(w.output, `${p}.output`)], {
        domain: MS,
        name: `${p}.output_norm`,
        attributes: [floatAttr('epsilon', cfg.layerNormEps)],
      });
    }
    const headSize = H / heads;
    const splitShape = g.int64(`${p}.split_shape`, [4], [0, 0, heads, headSize]);
    const split = (linear: LinearWeights, name: string, perm: number[]) =>
      g.op('Transpose', [g.op('Reshape', [dense(input, linear, name), splitShape])], { name: `${name}_heads`, attributes: [intsAttr('perm', perm)] });
    const q = split(w.query, `${p}.query`, [0, 2, 1, 3]);
    const k = split(w.key, `${p}.key`, [0, 2, 3, 1]);
    const v = split(w.value, `${p}.value`, [0, 2, 1, 3]);
    const scores = g.op('Div', [g.op('MatMul', [q, k]), scalarT(`${p}.scale`, Math.sqrt(headSize))], { name: `${p}.scores` });
    const probs = g.op('Softmax', [g.op('Add', [scores, maskBias])], { name: `${p}.probs`, attributes: [intAttr('axis', -1)] });
    const context = g.op('Transpose', [g.op('MatMul', [probs, v])], { attributes: [intsAttr('perm', [0, 2, 1, 3])] });
    attended = g.op('Reshape', [context, g.int64(`${p}.merge_shape`, [3], [0, 0, H])], { name: `${p}.context` });
    afterAttention = layerNorm(g.op('Add', [dense(attended, w.attentionOutput, `${p}.attention_output`), input]), w.attentionNorm.gamma, w.attentionNorm.beta, `${p}.attention_norm`);
    const intermediate = gelu(dense(afterAttention, w.intermediate, `${p}.intermediate`), `${p}.gelu`);
    return layerNorm(g.op('Add', [dense(intermediate, w.output, `${p}.output`), afterAttention]), w.outputNorm.gamma, w.outputNorm.beta, `${p}.output_norm`);
  };
  weights.layers.forEach((w, l) => (x = layer(x, w, l)));

  // MLM head transform: LayerNorm(gelu(dense(x))).
  const transformed =
    attention === 'fused'
      ? g.op('BiasGelu', [matmul(x, weights.headTransform, 'head.transform'), bias(weights.headTransform, 'head.transform')], { domain: MS, name: 'head.gelu' })
      : gelu(dense(x, weights.headTransform, 'head.transform'), 'head.gelu');
  const hidden = layerNorm(transformed, weights.headNorm.gamma, weights.headNorm.beta, 'head.norm');

  // Decoder: logits = hidden · Eᵀ + bias, with E shared with the word embeddings when tied.
  const decoderTable = weights.decoderWeight === weights.wordEmbeddings ? wordTable : weight('decoder.weight', [V, H], weights.decoderWeight);
  const flatShape = g.int64('flat_shape', [2], [-1, H]);
  const logitsShape = g.op('Concat', [idsShape, g.int64('vocab_dim', [1], [V])], { name: 'logits_shape', attributes: [intAttr('axis', 0)] });
  const toFloat = (input: string, name: string) => (precision === 'fp16' ? g.op('Cast', [input], { name, attributes: [intAttr('to', DataType.FLOAT)] }) : input);

  if (options.pooling === 'none' || options.pooling.strategy === 'sum') {
    const decoderBias = weight('decoder.bias', [V], weights.decoderBias);
    const flat = g.op('Gemm', [g.op('Reshape', [hidden, flatShape]), decoderTable, decoderBias], { name: 'decoder', attributes: [intAttr('transB', 1)] });
    if (options.pooling === 'none') {
      // A plain masked-LM graph, as optimum exports it: logits [batch, sequence, vocab] float32.
      if (precision === 'fp16') g.op('Cast', [g.op('Reshape', [flat, logitsShape])], { attributes: [intAttr('to', DataType.FLOAT)], output: 'logits' });
      else g.op('Reshape', [flat, logitsShape], { output: 'logits' });
      g.output('logits', DataType.FLOAT, ['batch', 'sequence', V]);
    } else {
      const logits = toFloat(g.op('Reshape', [flat, logitsShape], { name: 'logits_t' }), 'logits_float');
      // sum over real tokens of log1p(relu(logits)) (twice log1p for log1p_relu), exact log1p in float32.
      let activated = appendExactLog1p(g, g.op('Relu', [logits]), 'log1p');
      if (options.pooling.activation === 'log1p_relu') activated = appendExactLog1p(g, activated, 'log1p2');
      const maskFloat = g.op('Unsqueeze', [g.op('Cast', [mask], { attributes: [intAttr('to', DataType.FLOAT)] }), g.int64('mask.last_axis', [1], [2])], { name: 'mask_float3' });
      const masked = g.op('Mul', [activated, maskFloat]);
      g.op('ReduceSum', [masked, g.int64('token_axis', [1], [1])], { attributes: [intAttr('keepdims', 0)], output: SPARSE_WEIGHTS });
      g.output(SPARSE_WEIGHTS, DataType.FLOAT, ['batch', V]);
    }
  } else {
    // Max pooling. Padding rows take the [CLS] row's hidden state, so they can never raise a maximum, and the
    // bias is added after the max: fl(x + b) is monotone in x, so max_s fl(x_s + b) = fl(max_s x_s + b) exactly.
    const maskBool = g.op('Unsqueeze', [g.op('Cast', [mask], { attributes: [intAttr('to', DataType.BOOL)] }), g.int64('mask.last_axis', [1], [2])], { name: 'mask_bool3' });
    const cls = g.op('Slice', [hidden, g.int64('slice.start', [1], [0]), g.int64('slice.end', [1], [1]), g.int64('slice.axis', [1], [1])], { name: 'cls_hidden' });
    const selected = g.op('Where', [maskBool, hidden, cls], { name: 'real_hidden' });
    const flat = g.op('Gemm', [g.op('Reshape', [selected, flatShape]), decoderTable], { name: 'decoder', attributes: [intAttr('transB', 1)] });
    const maxima = g.op('ReduceMax', [g.op('Reshape', [flat, logitsShape])], { name: 'token_max', attributes: [intsAttr('axes', [1]), intAttr('keepdims', 0)] });
    const withBias = g.op('Add', [toFloat(maxima, 'token_max_float'), g.float32('decoder.bias', [V], weights.decoderBias)]);
    g.op('Relu', [withBias], { output: POOLED_LOGITS });
    g.output(POOLED_LOGITS, DataType.FLOAT, ['batch', V]);
  }

  return {
    irVersion: 8,
    opsetImports: [
      { domain: '', version: OPSET },
      { domain: MS, version: 1 },
    ],
    producerName: 'splade-search',
    producerVersion: BERT_GRAPH_VERSION,
    graph: g.graph(),
  };
}
