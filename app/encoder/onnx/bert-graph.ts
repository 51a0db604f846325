/**
 * Builds the ONNX graph of a BERT masked-LM with SPLADE pooling from its weights: embeddings, encoder layers, MLM
 * head, then pooling over tokens inside the graph so that only `[batch, vocab]` leaves the runtime.
 */
import type { BertLayerWeights, BertWeights, LinearWeights } from '../bert-weights.js';
import type { SpladePoolingConfig } from '../splade-pooling.js';
import { floatAttr, GraphBuilder, intAttr, intsAttr } from './graph-builder.js';
import { DataType, type OnnxModel } from './onnx-proto.js';
import { appendExactLog1p, POOLED_LOGITS_OUTPUT as POOLED_LOGITS, SPARSE_WEIGHTS_OUTPUT as SPARSE_WEIGHTS } from './pooling-nodes.js';
import { EncoderError } from '../encoder-error.js';
import type { FloatPrecision } from '../precision.js';

/** 'fused': onnxruntime contrib operators (Attention, SkipLayerNormalization, BiasGelu); 'plain': standard ONNX only. */
export type AttentionKind = 'fused' | 'plain';
/**
 * The execution provider the graph is shaped for. 'cpu' (also right for CUDA): the CPU provider's Attention with a
 * `mask_index`. 'webgpu': what onnxruntime's WebGPU provider runs on the GPU (see `WebGpuGraphTuning`).
 */
export type GraphTarget = 'cpu' | 'webgpu';

/** Choices in the WebGPU graph that only measurements on real GPUs decide; the defaults are the measured best. */
export interface WebGpuGraphTuning {
  /**
   * Fused attention operator, both fed an additive `attention_bias` [batch, 1, seq, seq] for padding (the WebGPU
   * provider implements neither `mask_index` nor `key_padding_mask`), both running onnxruntime's flash attention:
   * 'attention': com.microsoft Attention (the QKV projection inside the operator); 'mha': one QKV MatMul + Add + Split,
   * then com.microsoft MultiHeadAttention. Default 'attention'.
   */
  attentionOp?: 'attention' | 'mha';
  /**
   * The vocabulary decoder (max pooling): 'matmul-t' computes the transposed logits [batch, Vp, seq] (so that the max
   * runs over the last axis, which the provider reduces without first transposing; vectorized when the sequence
   * length is a multiple of 4), Vp being the vocabulary padded with zero rows to a multiple of `vocabMultiple`;
   * 'matmul' multiplies by a transposed copy [H, Vp] of the table (30522 is not a multiple of 4, which rules out the
   * provider's vectorized MatMul) and reduces [batch, seq, Vp] over axis 1; 'gemm' uses Gemm with transB on the
   * shared table, as the CPU graph does. Default 'matmul-t' (H200: 392 sequences/s at 32 x 256, 'matmul' 332).
   */
  decoder?: 'matmul' | 'matmul-t' | 'gemm';
  /** Default 64. */
  vocabMultiple?: number;
  /**
   * 'matmul-t' only: the vocabulary in this many pieces, each its own MatMul and max (then concatenated), so that no
   * logits tensor exceeds what onnxruntime's buffer cache keeps between runs (its largest bucket is 160 MB; a
   * [8192 tokens, 30528] float16 logits tensor is 500 MB, allocated and freed on every run). Default
   * `defaultDecoderChunks`: 4 in float16 (H200, 32 x 256: 452 sequences/s, one chunk 384), 8 with float32 logits
   * (fp32: 335, one chunk 268); same numbers either way.
   */
  decoderChunks?: number;
  /**
   * 'int32': `input_ids` and `attention_mask` int32 and no `token_type_ids` (the type-0 embedding is folded into the
   * position table): every int64 operation of the int64 form (casts of the mask, the position range) runs on the CPU
   * provider and is uploaded on each run, since the WebGPU provider has no int64 by default; here only the two inputs
   * are uploaded and all else runs on the GPU. 'int64': the inputs of exported models. Default 'int32'.
   */
  inputs?: 'int32' | 'int64';
  /**
   * Float16 graphs only: run the MLM head and the decoder in float32 (the encoder layers stay float16), for
   * precision at the cost of a float32 decoder: the decoder's float16 sums hold about half of the float16 error (see
   * test/bench/RESULTS.md). Float32 logits are 1 GB at 8192 tokens, hence 8 vocabulary chunks by default. Default false.
   */
  float32Head?: boolean;
  /**
   * The feed-forward block as this many groups of intermediate columns, summed (exactly the FFN, see the builder):
   * float16 precision for a little more GPU work (each down-projection sum runs over 3072/n terms instead of 3072;
   * the intermediate bias and GELU become two operators instead of BiasGelu, plus a ReduceSum). Default 1.
   */
  ffnSplit?: number;
}

export interface BertGraphOptions {
  /** Weights and compute type; inputs and outputs stay int64 / float32 either way. Default 'fp32'. */
  precision?: FloatPrecision;
  /** Default 'fused'. */
  attention?: AttentionKind;
  /** Pooling inside the graph, or 'none' for a plain masked-LM graph with a `logits` output. */
  pooling: SpladePoolingConfig | 'none';
  /** Default 'cpu'. */
  target?: GraphTarget;
  /** Only read when `target` is 'webgpu'. */
  webgpu?: WebGpuGraphTuning;
}

/** Bumped whenever the graph this module builds changes, so that cached graphs are rebuilt. */
export const BERT_GRAPH_VERSION = '1';
/** Version of the WebGPU form of the graph (part of the cache key of WebGPU graphs only). */
export const WEBGPU_GRAPH_VERSION = '3';

/**
 * Vocabulary chunks of the WebGPU decoder when `decoderChunks` is not given: each chunk's logits at 8192 tokens stay
 * under onnxruntime's largest cached buffer (4 chunks of float16 logits, 8 of float32). Measured on an H200 at
 * 32 x 256 (test/bench/RESULTS.md): fp16 384 -> 452 sequences/s with 4 chunks, fp32 268 -> 335 with 8.
 */
export function defaultDecoderChunks(precision: FloatPrecision, float32Head = false): number {
  return precision === 'fp32' || float32Head ? 8 : 4;
}

/** Additive attention bias for padded keys: exp(score − 10000) is exactly 0 in float16 and float32. */
const MASKED_SCORE = -10000;


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
  const target = options.target ?? 'cpu';
  const decoderChunks = defaultDecoderChunks(precision, options.webgpu?.float32Head === true);
  const tuning = { attentionOp: 'attention', decoder: 'matmul-t', vocabMultiple: 64, decoderChunks, inputs: 'int32', ffnSplit: 1, ...options.webgpu } satisfies WebGpuGraphTuning;
  // Fused attention as the WebGPU provider runs it: an additive bias instead of a mask index.
  const biasAttention = attention === 'fused' && target === 'webgpu';
  const cfg = weights.config;
  const H = cfg.hiddenSize;
  const heads = cfg.numAttentionHeads;
  const V = cfg.vocabSize;
  const g = new GraphBuilder('bert_splade');
  const T = precision === 'fp16' ? DataType.FLOAT16 : DataType.FLOAT;
  // The type weights are stored and computed in from here on (the head may switch to float32, see float32Head).
  let current: number = T;
  const weight = (name: string, dims: number[], values: Float32Array | number[]) =>
    current === DataType.FLOAT16 ? g.float16(name, dims, values) : g.float32(name, dims, values);
  const scalarT = (name: string, value: number) => weight(name, [], [value]);

  // Token ids and mask: int64 (as exported models take them), or int32 in the WebGPU form (see WebGpuGraphTuning.inputs).
  const int32Inputs = target === 'webgpu' && tuning.inputs === 'int32';
  const ids = g.input('input_ids', int32Inputs ? DataType.INT32 : DataType.INT64, ['batch', 'sequence']);
  const mask = g.input('attention_mask', int32Inputs ? DataType.INT32 : DataType.INT64, ['batch', 'sequence']);
  const types = int32Inputs ? undefined : g.input('token_type_ids', DataType.INT64, ['batch', 'sequence']);

  const wordTable = weight('word_embeddings', [V, H], weights.wordEmbeddings);
  const word = g.op('Gather', [wordTable, ids], { name: 'word' });
  let idsShape: string;
  let embeddingSum: string;
  if (types) {
    // (word + token type) + position, the order of BertEmbeddings.
    const typeTable = weight('token_type_embeddings', [cfg.typeVocabSize, H], weights.tokenTypeEmbeddings);
    const tokenType = g.op('Gather', [typeTable, types], { name: 'token_type' });
    idsShape = g.op('Shape', [ids], { name: 'ids_shape' });
    const seqLen = g.op('Gather', [idsShape, g.int64('one', [], [1])], { name: 'seq_len', attributes: [intAttr('axis', 0)] });
    const positions = g.op('Range', [g.int64('zero', [], [0]), seqLen, g.int64('step', [], [1])], { name: 'positions' });
    const positionTable = weight('position_embeddings', [cfg.maxPositionEmbeddings, H], weights.positionEmbeddings);
    const position = g.op('Gather', [positionTable, positions], { name: 'position' });
    embeddingSum = g.op('Add', [g.op('Add', [word, tokenType]), position], { name: 'embedding_sum' });
  } else {
    // No token types (single texts are type 0 throughout): word + (position + type 0), the type-0 row added to the
    // position table here (summed in float32), its first `sequence` rows sliced off (shape arithmetic stays on the CPU,
    // nothing is uploaded but the ids and the mask).
    const P = cfg.maxPositionEmbeddings;
    const table = new Float32Array(P * H);
    for (let i = 0; i < P * H; i++) table[i] = weights.positionEmbeddings[i]! + weights.tokenTypeEmbeddings[i % H]!;
    idsShape = g.op('Shape', [ids], { name: 'ids_shape' });
    const seqEnd = g.op('Slice', [idsShape, g.int64('seq_dim.start', [1], [1]), g.int64('seq_dim.end', [1], [2])], { name: 'seq_dim' });
    const position = g.op('Slice', [weight('position_type0_embeddings', [P, H], table), g.int64('position.start', [1], [0]), seqEnd, g.int64('position.axis', [1], [0])], { name: 'position' });
    embeddingSum = g.op('Add', [word, position], { name: 'embedding_sum' });
  }
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

  // FFN in `ffnSplit` groups of intermediate columns: Σ_c W_down_c · gelu(W_up_c · x + b_up_c), each group a batch of
  // one MatMul pair [1, M, H] · [c, H, I/c] -> [c, M, I/c] · [c, I/c, H] -> [c, M, H], the groups summed by ReduceSum.
  // Exactly the FFN; in float16 each down-projection sum runs over I/c terms instead of I (onnxruntime's WebGPU MatMul
  // accumulates in the compute type, so its rounding error grows with the length of the sum).
  const ffnGroups = target === 'webgpu' ? Math.max(1, Math.floor(tuning.ffnSplit)) : 1;
  if (cfg.intermediateSize % ffnGroups !== 0) throw new EncoderError('invalid-option', `ffnSplit ${ffnGroups} does not divide the intermediate size ${cfg.intermediateSize}`);
  let hiddenShape = '';
  const splitFfn = (input: string, w: BertLayerWeights, p: string): string => {
    const c = ffnGroups;
    const I = w.intermediate.outFeatures;
    const n = I / c;
    const up = transpose(w.intermediate.weight, I, H); // [H, I]
    const upGroups = new Float32Array(H * I);
    for (let group = 0; group < c; group++) for (let h = 0; h < H; h++) upGroups.set(up.subarray(h * I + group * n, h * I + group * n + n), (group * H + h) * n);
    const down = transpose(w.output.weight, H, I); // [I, H]: groups of rows are already [c, n, H]
    const rows = g.op('Reshape', [input, g.int64(`${p}.ffn.rows_shape`, [3], [1, -1, H])], { name: `${p}.ffn.rows` });
    const upBias = weight(`${p}.intermediate.bias`, [c, 1, n], w.intermediate.bias);
    const projected = g.op('Add', [g.op('MatMul', [rows, weight(`${p}.intermediate.weight`, [c, H, n], upGroups)], { name: `${p}.intermediate` }), upBias], { name: `${p}.intermediate_biased` });
    const activated = attention === 'fused' ? g.op('Gelu', [projected], { domain: MS, name: `${p}.gelu` }) : gelu(projected, `${p}.gelu`);
    const partial = g.op('MatMul', [activated, weight(`${p}.output.weight`, [c, n, H], down)], { name: `${p}.output_parts` });
    const summed = g.op('ReduceSum', [partial, g.int64(`${p}.ffn.group_axis`, [1], [0])], { name: `${p}.output_sum`, attributes: [intAttr('keepdims', 0)] });
    hiddenShape ||= g.op('Concat', [idsShape, g.int64('hidden_dim', [1], [H])], { name: 'hidden_shape', attributes: [intAttr('axis', 0)] });
    return g.op('Reshape', [summed, hiddenShape], { name: `${p}.output` });
  };

  // Attention mask in the form each attention variant takes.
  let maskIndex = '';
  let maskBias = '';
  if (biasAttention) {
    // [batch, seq] -> (1 - mask) * -10000 as [batch, 1, 1, seq], expanded to [batch, 1, seq, seq] (the operators
    // check dimension 2 against the sequence length; dimension 1 broadcasts over heads).
    const maskT = g.op('Cast', [mask], { name: 'mask_float', attributes: [intAttr('to', T)] });
    const additive = g.op('Mul', [g.op('Sub', [scalarT('mask.one', 1), maskT]), scalarT('mask.masked', MASKED_SCORE)]);
    const bias4 = g.op('Unsqueeze', [additive, g.int64('mask.axes', [2], [1, 2])], { name: 'mask_bias4' });
    const first = (name: string, from: number) => g.op('Slice', [idsShape, g.int64(`${name}.start`, [1], [from]), g.int64(`${name}.end`, [1], [from + 1])], { name });
    const seqDim = first('mask.seq_dim', 1);
    const biasShape = g.op('Concat', [first('mask.batch_dim', 0), g.int64('mask.one_dim', [1], [1]), seqDim, seqDim], { name: 'mask.bias_shape', attributes: [intAttr('axis', 0)] });
    maskBias = g.op('Expand', [bias4, biasShape], { name: 'attention_bias' });
  } else if (attention === 'fused') {
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
      const qkvWeight = weight(`${p}.qkv.weight`, [H, 3 * H], qkv);
      const qkvBiasName = weight(`${p}.qkv.bias`, [3 * H], qkvBias);
      if (!biasAttention) {
        attended = g.op('Attention', [input, qkvWeight, qkvBiasName, maskIndex], { domain: MS, name: `${p}.attention`, attributes: [intAttr('num_heads', heads)] });
      } else if (tuning.attentionOp === 'attention') {
        attended = g.op('Attention', [input, qkvWeight, qkvBiasName, '', '', maskBias], { domain: MS, name: `${p}.attention`, attributes: [intAttr('num_heads', heads)] });
      } else {
        const projected = g.op('Add', [g.op('MatMul', [input, qkvWeight], { name: `${p}.qkv` }), qkvBiasName], { name: `${p}.qkv_biased` });
        const [q, k, v] = g.node('Split', [projected, g.int64(`${p}.qkv.split`, [3], [H, H, H])], { name: `${p}.qkv_split`, attributes: [intAttr('axis', 2)], outputs: 3 });
        attended = g.op('MultiHeadAttention', [q!, k!, v!, '', '', maskBias], { domain: MS, name: `${p}.attention`, attributes: [intAttr('num_heads', heads)] });
      }
      afterAttention = g.op('SkipLayerNormalization', [matmul(attended, w.attentionOutput, `${p}.attention_output`), input, weight(`${p}.attention_norm.gamma`, [H], w.attentionNorm.gamma), weight(`${p}.attention_norm.beta`, [H], w.attentionNorm.beta), bias(w.attentionOutput, `${p}.attention_output`)], {
        domain: MS,
        name: `${p}.attention_norm`,
        attributes: [floatAttr('epsilon', cfg.layerNormEps)],
      });
      let ffnOutput: string;
      if (ffnGroups > 1) ffnOutput = splitFfn(afterAttention, w, p);
      else {
        const intermediate = g.op('BiasGelu', [matmul(afterAttention, w.intermediate, `${p}.intermediate`), bias(w.intermediate, `${p}.intermediate`)], { domain: MS, name: `${p}.gelu` });
        ffnOutput = matmul(intermediate, w.output, `${p}.output`);
      }
      return g.op('SkipLayerNormalization', [ffnOutput, afterAttention, weight(`${p}.output_norm.gamma`, [H], w.outputNorm.gamma), weight(`${p}.output_norm.beta`, [H], w.outputNorm.beta), bias(w.output, `${p}.output`)], {
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
    const ffnOutput =
      ffnGroups > 1 ? g.op('Add', [splitFfn(afterAttention, w, p), bias(w.output, `${p}.output`)]) : dense(gelu(dense(afterAttention, w.intermediate, `${p}.intermediate`), `${p}.gelu`), w.output, `${p}.output`);
    return layerNorm(g.op('Add', [ffnOutput, afterAttention]), w.outputNorm.gamma, w.outputNorm.beta, `${p}.output_norm`);
  };
  weights.layers.forEach((w, l) => (x = layer(x, w, l)));

  if (target === 'webgpu' && tuning.float32Head === true && precision === 'fp16') {
    x = g.op('Cast', [x], { name: 'encoder_output_float', attributes: [intAttr('to', DataType.FLOAT)] });
    current = DataType.FLOAT;
  }

  // MLM head transform: LayerNorm(gelu(dense(x))).
  const transformed =
    attention === 'fused'
      ? g.op('BiasGelu', [matmul(x, weights.headTransform, 'head.transform'), bias(weights.headTransform, 'head.transform')], { domain: MS, name: 'head.gelu' })
      : gelu(dense(x, weights.headTransform, 'head.transform'), 'head.gelu');
  const hidden = layerNorm(transformed, weights.headNorm.gamma, weights.headNorm.beta, 'head.norm');

  // Decoder: logits = hidden · Eᵀ + bias, with E shared with the word embeddings when tied.
  // (A function: the WebGPU MatMul decoder stores a padded copy instead, and an unused initializer would still be stored.)
  const decoderTable = () => (weights.decoderWeight === weights.wordEmbeddings && current === T ? wordTable : weight('decoder.weight', [V, H], weights.decoderWeight));
  const webgpuDecoder = target === 'webgpu' && tuning.decoder !== 'gemm' && options.pooling !== 'none' && options.pooling.strategy === 'max';
  const flatShape = webgpuDecoder && tuning.decoder === 'matmul-t' ? '' : g.int64('flat_shape', [2], [-1, H]);
  const logitsShape = webgpuDecoder ? '' : g.op('Concat', [idsShape, g.int64('vocab_dim', [1], [V])], { name: 'logits_shape', attributes: [intAttr('axis', 0)] });
  const toFloat = (input: string, name: string) => (current === DataType.FLOAT16 ? g.op('Cast', [input], { name, attributes: [intAttr('to', DataType.FLOAT)] }) : input);

  if (options.pooling === 'none' || options.pooling.strategy === 'sum') {
    const decoderBias = weight('decoder.bias', [V], weights.decoderBias);
    const flat = g.op('Gemm', [g.op('Reshape', [hidden, flatShape]), decoderTable(), decoderBias], { name: 'decoder', attributes: [intAttr('transB', 1)] });
    if (options.pooling === 'none') {
      // A plain masked-LM graph, as optimum exports it: logits [batch, sequence, vocab] float32.
      if (current === DataType.FLOAT16) g.op('Cast', [g.op('Reshape', [flat, logitsShape])], { attributes: [intAttr('to', DataType.FLOAT)], output: 'logits' });
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
    let maxima: string;
    if (webgpuDecoder) {
      // hidden · Eᵀ with the table padded with zero rows or columns to Vp = `decoderChunks` pieces of `rows` (V / chunks
      // rounded up to a multiple of `vocabMultiple`); the max over tokens stays in the compute type (exact), then the
      // padding is sliced off.
      const multiple = Math.max(1, Math.floor(tuning.vocabMultiple));
      const chunks = tuning.decoder === 'matmul-t' ? Math.max(1, Math.floor(tuning.decoderChunks)) : 1;
      const rows = Math.ceil(Math.ceil(V / chunks) / multiple) * multiple;
      const Vp = rows * chunks;
      const source = weights.decoderWeight;
      let padded: string;
      if (tuning.decoder === 'matmul') {
        const table = new Float32Array(H * Vp);
        for (let v = 0; v < V; v++) for (let h = 0; h < H; h++) table[h * Vp + v] = source[v * H + h]!;
        const flat = g.op('MatMul', [g.op('Reshape', [selected, flatShape]), weight('decoder.weight_t', [H, Vp], table)], { name: 'decoder' });
        const paddedShape = g.op('Concat', [idsShape, g.int64('vocab_padded_dim', [1], [Vp])], { name: 'logits_padded_shape', attributes: [intAttr('axis', 0)] });
        padded = g.op('ReduceMax', [g.op('Reshape', [flat, paddedShape])], { name: 'token_max_padded', attributes: [intsAttr('axes', [1]), intAttr('keepdims', 0)] });
      } else {
        // [chunk rows, H] · [batch, H, seq] -> [batch, chunk rows, seq] per chunk of the padded table, max over the last axis.
        const columns = g.op('Transpose', [selected], { name: 'real_hidden_t', attributes: [intsAttr('perm', [0, 2, 1])] });
        const chunkMaxima: string[] = [];
        for (let c = 0; c < chunks; c++) {
          const table = new Float32Array(rows * H);
          table.set(source.subarray(Math.min(V, c * rows) * H, Math.min(V, (c + 1) * rows) * H));
          const suffix = chunks === 1 ? '' : `.${c}`;
          const logitsT = g.op('MatMul', [weight(`decoder.weight_padded${suffix}`, [rows, H], table), columns], { name: `decoder${suffix}` });
          chunkMaxima.push(g.op('ReduceMax', [logitsT], { name: `token_max_padded${suffix}`, attributes: [intsAttr('axes', [2]), intAttr('keepdims', 0)] }));
        }
        padded = chunks === 1 ? chunkMaxima[0]! : g.op('Concat', chunkMaxima, { name: 'token_max_padded', attributes: [intAttr('axis', 1)] });
      }
      maxima = Vp === V ? padded : g.op('Slice', [padded, g.int64('vocab.start', [1], [0]), g.int64('vocab.end', [1], [V]), g.int64('vocab.axis', [1], [1])], { name: 'token_max' });
    } else {
      const flat = g.op('Gemm', [g.op('Reshape', [selected, flatShape]), decoderTable()], { name: 'decoder', attributes: [intAttr('transB', 1)] });
      maxima = g.op('ReduceMax', [g.op('Reshape', [flat, logitsShape])], { name: 'token_max', attributes: [intsAttr('axes', [1]), intAttr('keepdims', 0)] });
    }
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
