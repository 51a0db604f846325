/** ONNX nodes for SPLADE pooling over `[batch, sequence, vocab]` logits, for any opset from 11 on. */
import { GraphBuilder, intAttr, intsAttr } from './graph-builder.js';
import { DataType } from './onnx-proto.js';
import type { SpladePoolingConfig } from '../splade-pooling.js';

/** `[batch, vocab]`: relu(max over real tokens of the logits); the activation (log1p) is applied outside the graph. */
export const POOLED_LOGITS_OUTPUT = 'pooled_logits';
/** `[batch, vocab]`: final SPLADE weights (sum pooling, activation applied in the graph). */
export const SPARSE_WEIGHTS_OUTPUT = 'sparse_weights';

/**
 * log1p(x) for x >= 0 in float32 without a Log1p operator: with u = 1 + x, log1p(x) = log(u) · x / (u − 1)
 * when u ≠ 1, else x (Goldberg's correction, accurate to a few ulps; plain log(1 + x) loses all of x < 6e-8).
 */
export function appendExactLog1p(g: GraphBuilder, input: string, name: string): string {
  const one = g.float32(`${name}.one`, [], [1]);
  const u = g.op('Add', [input, one]);
  const d = g.op('Sub', [u, one]);
  const isZero = g.op('Equal', [d, g.float32(`${name}.zero`, [], [0])]);
  const value = g.op('Mul', [g.op('Log', [u]), g.op('Div', [input, d])]);
  return g.op('Where', [isZero, input, value], { name });
}

/** An axes argument: an attribute before `inputFrom`, an int64 input tensor from then on. */
function axesOperand(g: GraphBuilder, opset: number, inputFrom: number, axes: number[], name: string) {
  return opset >= inputFrom
    ? { inputs: [g.int64(name, [axes.length], axes)], attributes: [] }
    : { inputs: [], attributes: [intsAttr('axes', axes)] };
}

/**
 * Appends pooling to a graph whose `logits` are `[batch, sequence, vocab]` with the bias included (a ready-made
 * masked-LM export). Max pooling outputs relu(max over tokens of logits · mask), which sentence-transformers'
 * formula reduces to exactly; sum pooling outputs the final weights. Returns the output's name.
 */
export function appendLogitsPooling(
  g: GraphBuilder,
  logits: string,
  logitsType: number,
  attentionMask: string,
  pooling: SpladePoolingConfig,
  opset: number,
): string {
  const floatLogits = logitsType === DataType.FLOAT ? logits : g.op('Cast', [logits], { name: 'splade_logits_float', attributes: [intAttr('to', DataType.FLOAT)] });
  const maskFloat = g.op('Cast', [attentionMask], { name: 'splade_mask_float', attributes: [intAttr('to', DataType.FLOAT)] });
  const unsqueeze = axesOperand(g, opset, 13, [2], 'splade_mask_axes');
  const mask3 = g.op('Unsqueeze', [maskFloat, ...unsqueeze.inputs], { name: 'splade_mask3', attributes: unsqueeze.attributes });
  if (pooling.strategy === 'max') {
    const masked = g.op('Mul', [floatLogits, mask3], { name: 'splade_masked_logits' });
    const reduce = axesOperand(g, opset, 18, [1], 'splade_token_axis');
    const maxima = g.op('ReduceMax', [masked, ...reduce.inputs], { name: 'splade_token_max', attributes: [...reduce.attributes, intAttr('keepdims', 0)] });
    g.op('Relu', [maxima], { output: POOLED_LOGITS_OUTPUT });
    return POOLED_LOGITS_OUTPUT;
  }
  let activated = appendExactLog1p(g, g.op('Relu', [floatLogits], { name: 'splade_relu' }), 'splade_log1p');
  if (pooling.activation === 'log1p_relu') activated = appendExactLog1p(g, activated, 'splade_log1p2');
  const masked = g.op('Mul', [activated, mask3], { name: 'splade_masked' });
  const reduce = axesOperand(g, opset, 13, [1], 'splade_sum_axis');
  g.op('ReduceSum', [masked, ...reduce.inputs], { attributes: [...reduce.attributes, intAttr('keepdims', 0)], output: SPARSE_WEIGHTS_OUTPUT });
  return SPARSE_WEIGHTS_OUTPUT;
}
