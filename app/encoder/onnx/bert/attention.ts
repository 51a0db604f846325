/**
 * Self-attention: the padding mask in the form each attention variant takes, and one layer's attention block up
 * to its residual LayerNorm. 'fused' uses onnxruntime's Attention (or, on WebGPU, MultiHeadAttention) and
 * SkipLayerNormalization; 'plain' spells the same computation in standard ONNX operators.
 */
import type { BertLayerWeights, LinearWeights } from '../../bert-weights.js';
import { floatAttr, intAttr, intsAttr } from '../graph-builder.js';
import { DataType } from '../onnx-proto.js';
import { MS, type BertGraphContext } from './graph-context.js';

/** Additive attention bias for padded keys: exp(score − 10000) is exactly 0 in float16 and float32. */
const MASKED_SCORE = -10000;

/** The padding mask as the layers consume it: a `mask_index` (fused CPU attention) or an additive bias. */
export interface AttentionMask {
  maskIndex: string;
  maskBias: string;
}

export function buildAttentionMask(ctx: BertGraphContext, mask: string): AttentionMask {
  const { g } = ctx;
  let maskIndex = '';
  let maskBias = '';
  if (ctx.biasAttention) {
    // [batch, seq] -> (1 - mask) * -10000 as [batch, 1, 1, seq], expanded to [batch, 1, seq, seq] (the operators
    // check dimension 2 against the sequence length; dimension 1 broadcasts over heads).
    const maskT = g.op('Cast', [mask], { name: 'mask_float', attributes: [intAttr('to', ctx.T)] });
    const additive = g.op('Mul', [g.op('Sub', [ctx.scalarT('mask.one', 1), maskT]), ctx.scalarT('mask.masked', MASKED_SCORE)]);
    const bias4 = g.op('Unsqueeze', [additive, g.int64('mask.axes', [2], [1, 2])], { name: 'mask_bias4' });
    const first = (name: string, from: number) => g.op('Slice', [ctx.idsShape, g.int64(`${name}.start`, [1], [from]), g.int64(`${name}.end`, [1], [from + 1])], { name });
    const seqDim = first('mask.seq_dim', 1);
    const biasShape = g.op('Concat', [first('mask.batch_dim', 0), g.int64('mask.one_dim', [1], [1]), seqDim, seqDim], { name: 'mask.bias_shape', attributes: [intAttr('axis', 0)] });
    maskBias = g.op('Expand', [bias4, biasShape], { name: 'attention_bias' });
  } else if (ctx.attention === 'fused') {
    maskIndex = g.op('Cast', [mask], { name: 'mask_int32', attributes: [intAttr('to', DataType.INT32)] });
  } else {
    const maskT = g.op('Cast', [mask], { name: 'mask_float', attributes: [intAttr('to', ctx.T)] });
    const inverted = g.op('Sub', [ctx.scalarT('mask.one', 1), maskT]);
    const minimum = ctx.precision === 'fp16' ? -65504 : -3.4028234663852886e38;
    const additive = g.op('Mul', [inverted, ctx.scalarT('mask.min', minimum)]);
    maskBias = g.op('Unsqueeze', [additive, g.int64('mask.axes', [2], [1, 2])], { name: 'mask_bias' });
  }
  return { maskIndex, maskBias };
}

/** One layer's attention and its residual LayerNorm: LayerNorm(input + attention(input) · W_o + b_o). `p` names the layer. */
export function buildAttentionBlock(ctx: BertGraphContext, input: string, w: BertLayerWeights, p: string, mask: AttentionMask): string {
  return ctx.attention === 'fused' ? fusedAttention(ctx, input, w, p, mask) : plainAttention(ctx, input, w, p, mask);
}

function fusedAttention(ctx: BertGraphContext, input: string, w: BertLayerWeights, p: string, mask: AttentionMask): string {
  const { g, H, heads } = ctx;
  // Q, K and V as one [H, 3H] projection, the layout the fused operators take.
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
  const qkvWeight = ctx.weight(`${p}.qkv.weight`, [H, 3 * H], qkv);
  const qkvBiasName = ctx.weight(`${p}.qkv.bias`, [3 * H], qkvBias);
  let attended: string;
  if (!ctx.biasAttention) {
    attended = g.op('Attention', [input, qkvWeight, qkvBiasName, mask.maskIndex], { domain: MS, name: `${p}.attention`, attributes: [intAttr('num_heads', heads)] });
  } else if (ctx.tuning.attentionOp === 'attention') {
    attended = g.op('Attention', [input, qkvWeight, qkvBiasName, '', '', mask.maskBias], { domain: MS, name: `${p}.attention`, attributes: [intAttr('num_heads', heads)] });
  } else {
    const projected = g.op('Add', [g.op('MatMul', [input, qkvWeight], { name: `${p}.qkv` }), qkvBiasName], { name: `${p}.qkv_biased` });
    const [q, k, v] = g.node('Split', [projected, g.int64(`${p}.qkv.split`, [3], [H, H, H])], { name: `${p}.qkv_split`, attributes: [intAttr('axis', 2)], outputs: 3 });
    attended = g.op('MultiHeadAttention', [q!, k!, v!, '', '', mask.maskBias], { domain: MS, name: `${p}.attention`, attributes: [intAttr('num_heads', heads)] });
  }
  return g.op(
    'SkipLayerNormalization',
    [
      ctx.matmul(attended, w.attentionOutput, `${p}.attention_output`),
      input,
      ctx.weight(`${p}.attention_norm.gamma`, [H], w.attentionNorm.gamma),
      ctx.weight(`${p}.attention_norm.beta`, [H], w.attentionNorm.beta),
      ctx.bias(w.attentionOutput, `${p}.attention_output`),
    ],
    { domain: MS, name: `${p}.attention_norm`, attributes: [floatAttr('epsilon', ctx.cfg.layerNormEps)] },
  );
}

function plainAttention(ctx: BertGraphContext, input: string, w: BertLayerWeights, p: string, mask: AttentionMask): string {
  const { g, H, heads } = ctx;
  const headSize = H / heads;
  const splitShape = g.int64(`${p}.split_shape`, [4], [0, 0, heads, headSize]);
  const split = (linear: LinearWeights, name: string, perm: number[]) =>
    g.op('Transpose', [g.op('Reshape', [ctx.dense(input, linear, name), splitShape])], { name: `${name}_heads`, attributes: [intsAttr('perm', perm)] });
  const q = split(w.query, `${p}.query`, [0, 2, 1, 3]);
  const k = split(w.key, `${p}.key`, [0, 2, 3, 1]);
  const v = split(w.value, `${p}.value`, [0, 2, 1, 3]);
  const scores = g.op('Div', [g.op('MatMul', [q, k]), ctx.scalarT(`${p}.scale`, Math.sqrt(headSize))], { name: `${p}.scores` });
  const probs = g.op('Softmax', [g.op('Add', [scores, mask.maskBias])], { name: `${p}.probs`, attributes: [intAttr('axis', -1)] });
  const context = g.op('Transpose', [g.op('MatMul', [probs, v])], { attributes: [intsAttr('perm', [0, 2, 1, 3])] });
  const attended = g.op('Reshape', [context, g.int64(`${p}.merge_shape`, [3], [0, 0, H])], { name: `${p}.context` });
  return ctx.layerNorm(g.op('Add', [ctx.dense(attended, w.attentionOutput, `${p}.attention_output`), input]), w.attentionNorm.gamma, w.attentionNorm.beta, `${p}.attention_norm`);
}
