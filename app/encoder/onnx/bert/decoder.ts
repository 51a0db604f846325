/**
 * The masked-LM head and the vocabulary decoder with SPLADE pooling over tokens: `[batch, vocab]` pooled logits
 * (max) or sparse weights (sum), or plain `logits` when pooling is 'none'. On WebGPU the max-pooling decoder is a
 * (chunked, padded) MatMul producing transposed logits, reduced over the last axis.
 */
import type { BertWeights } from '../../bert-weights.js';
import type { SpladePoolingConfig } from '../../splade-pooling.js';
import { intAttr, intsAttr } from '../graph-builder.js';
import { DataType } from '../onnx-proto.js';
import { appendExactLog1p, POOLED_LOGITS_OUTPUT as POOLED_LOGITS, SPARSE_WEIGHTS_OUTPUT as SPARSE_WEIGHTS } from '../pooling-nodes.js';
import { MS, type BertGraphContext } from './graph-context.js';

/** Appends head, decoder and pooling after the encoder output `x`, and declares the graph's output. */
export function buildDecoder(ctx: BertGraphContext, weights: BertWeights, x: string, inputs: { mask: string; wordTable: string }, pooling: SpladePoolingConfig | 'none'): void {
  const { g, H, V, T, tuning } = ctx;
  const { mask, wordTable } = inputs;
  if (ctx.target === 'webgpu' && tuning.float32Head === true && ctx.precision === 'fp16') {
    x = g.op('Cast', [x], { name: 'encoder_output_float', attributes: [intAttr('to', DataType.FLOAT)] });
    ctx.current = DataType.FLOAT;
  }

  // MLM head transform: LayerNorm(gelu(dense(x))).
  const transformed =
    ctx.attention === 'fused'
      ? g.op('BiasGelu', [ctx.matmul(x, weights.headTransform, 'head.transform'), ctx.bias(weights.headTransform, 'head.transform')], { domain: MS, name: 'head.gelu' })
      : ctx.gelu(ctx.dense(x, weights.headTransform, 'head.transform'), 'head.gelu');
  const hidden = ctx.layerNorm(transformed, weights.headNorm.gamma, weights.headNorm.beta, 'head.norm');

  // Decoder: logits = hidden · Eᵀ + bias, with E shared with the word embeddings when tied.
  // (A function: the WebGPU MatMul decoder stores a padded copy instead, and an unused initializer would still be stored.)
  const decoderTable = () => (weights.decoderWeight === weights.wordEmbeddings && ctx.current === T ? wordTable : ctx.weight('decoder.weight', [V, H], weights.decoderWeight));
  const webgpuDecoder = ctx.target === 'webgpu' && tuning.decoder !== 'gemm' && pooling !== 'none' && pooling.strategy === 'max';
  const flatShape = webgpuDecoder && tuning.decoder === 'matmul-t' ? '' : g.int64('flat_shape', [2], [-1, H]);
  const logitsShape = webgpuDecoder ? '' : g.op('Concat', [ctx.idsShape, g.int64('vocab_dim', [1], [V])], { name: 'logits_shape', attributes: [intAttr('axis', 0)] });
  const toFloat = (input: string, name: string) => (ctx.current === DataType.FLOAT16 ? g.op('Cast', [input], { name, attributes: [intAttr('to', DataType.FLOAT)] }) : input);

  if (pooling === 'none' || pooling.strategy === 'sum') {
    const decoderBias = ctx.weight('decoder.bias', [V], weights.decoderBias);
    const flat = g.op('Gemm', [g.op('Reshape', [hidden, flatShape]), decoderTable(), decoderBias], { name: 'decoder', attributes: [intAttr('transB', 1)] });
    if (pooling === 'none') {
      // A plain masked-LM graph, as optimum exports it: logits [batch, sequence, vocab] float32.
      if (ctx.current === DataType.FLOAT16) g.op('Cast', [g.op('Reshape', [flat, logitsShape])], { attributes: [intAttr('to', DataType.FLOAT)], output: 'logits' });
      else g.op('Reshape', [flat, logitsShape], { output: 'logits' });
      g.output('logits', DataType.FLOAT, ['batch', 'sequence', V]);
      return;
    }
    const logits = toFloat(g.op('Reshape', [flat, logitsShape], { name: 'logits_t' }), 'logits_float');
    // sum over real tokens of log1p(relu(logits)) (twice log1p for log1p_relu), exact log1p in float32.
    let activated = appendExactLog1p(g, g.op('Relu', [logits]), 'log1p');
    if (pooling.activation === 'log1p_relu') activated = appendExactLog1p(g, activated, 'log1p2');
    const maskFloat = g.op('Unsqueeze', [g.op('Cast', [mask], { attributes: [intAttr('to', DataType.FLOAT)] }), g.int64('mask.last_axis', [1], [2])], { name: 'mask_float3' });
    const masked = g.op('Mul', [activated, maskFloat]);
    g.op('ReduceSum', [masked, g.int64('token_axis', [1], [1])], { attributes: [intAttr('keepdims', 0)], output: SPARSE_WEIGHTS });
    g.output(SPARSE_WEIGHTS, DataType.FLOAT, ['batch', V]);
    return;
  }

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
      const flat = g.op('MatMul', [g.op('Reshape', [selected, flatShape]), ctx.weight('decoder.weight_t', [H, Vp], table)], { name: 'decoder' });
      const paddedShape = g.op('Concat', [ctx.idsShape, g.int64('vocab_padded_dim', [1], [Vp])], { name: 'logits_padded_shape', attributes: [intAttr('axis', 0)] });
      padded = g.op('ReduceMax', [g.op('Reshape', [flat, paddedShape])], { name: 'token_max_padded', attributes: [intsAttr('axes', [1]), intAttr('keepdims', 0)] });
    } else {
      // [chunk rows, H] · [batch, H, seq] -> [batch, chunk rows, seq] per chunk of the padded table, max over the last axis.
      const columns = g.op('Transpose', [selected], { name: 'real_hidden_t', attributes: [intsAttr('perm', [0, 2, 1])] });
      const chunkMaxima: string[] = [];
      for (let c = 0; c < chunks; c++) {
        const table = new Float32Array(rows * H);
        table.set(source.subarray(Math.min(V, c * rows) * H, Math.min(V, (c + 1) * rows) * H));
        const suffix = chunks === 1 ? '' : `.${c}`;
        const logitsT = g.op('MatMul', [ctx.weight(`decoder.weight_padded${suffix}`, [rows, H], table), columns], { name: `decoder${suffix}` });
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
