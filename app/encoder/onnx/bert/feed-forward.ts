/**
 * One layer's feed-forward block and its residual LayerNorm: LayerNorm(x + W_down · gelu(W_up · x + b_up) + b_down),
 * fused (BiasGelu, SkipLayerNormalization) or plain, optionally in `ffnSplit` column groups (WebGPU).
 */
import type { BertLayerWeights } from '../../bert-weights.js';
import { EncoderError } from '../../encoder-error.js';
import { floatAttr, intAttr } from '../graph-builder.js';
import { MS, transpose, type BertGraphContext } from './graph-context.js';

export class FeedForwardBuilder {
  /** Column groups of the intermediate layer (1: the plain FFN). */
  readonly groups: number;
  /** `[batch, sequence, hidden]` as a shape tensor, made on first use by the split form. */
  private hiddenShape = '';

  constructor(private readonly ctx: BertGraphContext) {
    this.groups = ctx.target === 'webgpu' ? Math.max(1, Math.floor(ctx.tuning.ffnSplit)) : 1;
    if (ctx.cfg.intermediateSize % this.groups !== 0) {
      throw new EncoderError('invalid-option', `ffnSplit ${this.groups} does not divide the intermediate size ${ctx.cfg.intermediateSize}`);
    }
  }

  /** The block after `afterAttention` (the attention block's output); `p` names the layer. */
  build(afterAttention: string, w: BertLayerWeights, p: string): string {
    const { ctx } = this;
    const { g, H } = ctx;
    if (ctx.attention === 'fused') {
      let ffnOutput: string;
      if (this.groups > 1) ffnOutput = this.split(afterAttention, w, p);
      else {
        const intermediate = g.op('BiasGelu', [ctx.matmul(afterAttention, w.intermediate, `${p}.intermediate`), ctx.bias(w.intermediate, `${p}.intermediate`)], { domain: MS, name: `${p}.gelu` });
        ffnOutput = ctx.matmul(intermediate, w.output, `${p}.output`);
      }
      return g.op(
        'SkipLayerNormalization',
        [ffnOutput, afterAttention, ctx.weight(`${p}.output_norm.gamma`, [H], w.outputNorm.gamma), ctx.weight(`${p}.output_norm.beta`, [H], w.outputNorm.beta), ctx.bias(w.output, `${p}.output`)],
        { domain: MS, name: `${p}.output_norm`, attributes: [floatAttr('epsilon', ctx.cfg.layerNormEps)] },
      );
    }
    const ffnOutput =
      this.groups > 1
        ? g.op('Add', [this.split(afterAttention, w, p), ctx.bias(w.output, `${p}.output`)])
        : ctx.dense(ctx.gelu(ctx.dense(afterAttention, w.intermediate, `${p}.intermediate`), `${p}.gelu`), w.output, `${p}.output`);
    return ctx.layerNorm(g.op('Add', [ffnOutput, afterAttention]), w.outputNorm.gamma, w.outputNorm.beta, `${p}.output_norm`);
  }

  /**
   * FFN in `groups` groups of intermediate columns: Σ_c W_down_c · gelu(W_up_c · x + b_up_c), each group a batch of
   * one MatMul pair [1, M, H] · [c, H, I/c] -> [c, M, I/c] · [c, I/c, H] -> [c, M, H], the groups summed by ReduceSum.
   * Exactly the FFN; in float16 each down-projection sum runs over I/c terms instead of I (onnxruntime's WebGPU MatMul
   * accumulates in the compute type, so its rounding error grows with the length of the sum). No output bias.
   */
  private split(input: string, w: BertLayerWeights, p: string): string {
    const { ctx } = this;
    const { g, H } = ctx;
    const c = this.groups;
    const I = w.intermediate.outFeatures;
    const n = I / c;
    const up = transpose(w.intermediate.weight, I, H); // [H, I]
    const upGroups = new Float32Array(H * I);
    for (let group = 0; group < c; group++) for (let h = 0; h < H; h++) upGroups.set(up.subarray(h * I + group * n, h * I + group * n + n), (group * H + h) * n);
    const down = transpose(w.output.weight, H, I); // [I, H]: groups of rows are already [c, n, H]
    const rows = g.op('Reshape', [input, g.int64(`${p}.ffn.rows_shape`, [3], [1, -1, H])], { name: `${p}.ffn.rows` });
    const upBias = ctx.weight(`${p}.intermediate.bias`, [c, 1, n], w.intermediate.bias);
    const projected = g.op('Add', [g.op('MatMul', [rows, ctx.weight(`${p}.intermediate.weight`, [c, H, n], upGroups)], { name: `${p}.intermediate` }), upBias], { name: `${p}.intermediate_biased` });
    const activated = ctx.attention === 'fused' ? g.op('Gelu', [projected], { domain: MS, name: `${p}.gelu` }) : ctx.gelu(projected, `${p}.gelu`);
    const partial = g.op('MatMul', [activated, ctx.weight(`${p}.output.weight`, [c, n, H], down)], { name: `${p}.output_parts` });
    const summed = g.op('ReduceSum', [partial, g.int64(`${p}.ffn.group_axis`, [1], [0])], { name: `${p}.output_sum`, attributes: [intAttr('keepdims', 0)] });
    this.hiddenShape ||= g.op('Concat', [ctx.idsShape, g.int64('hidden_dim', [1], [H])], { name: 'hidden_shape', attributes: [intAttr('axis', 0)] });
    return g.op('Reshape', [summed, this.hiddenShape], { name: `${p}.output` });
  }
}
