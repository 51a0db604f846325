/**
 * What the BERT graph builders share: the graph being built, the model's dimensions, the choices that shape every
 * part (precision, attention kind, target, WebGPU tuning), and the small weight and operator helpers. Each builder
 * (embeddings, attention, feed-forward, decoder) appends its nodes in call order: the order of the calls below is
 * the order of nodes and initializers in the file, which the graph cache relies on (same inputs, same bytes).
 */
import type { BertConfig } from '../../bert-config.js';
import type { LinearWeights } from '../../bert-weights.js';
import type { FloatPrecision } from '../../precision.js';
import { floatAttr, GraphBuilder, intAttr } from '../graph-builder.js';
import { DataType } from '../onnx-proto.js';
import type { AttentionKind, GraphTarget, WebGpuGraphTuning } from '../bert-graph.js';

/** onnxruntime's contrib operator domain (Attention, SkipLayerNormalization, BiasGelu, Gelu, MultiHeadAttention). */
export const MS = 'com.microsoft';

/** The WebGPU tuning with every default filled in. */
export type ResolvedWebGpuTuning = Required<WebGpuGraphTuning>;

/** `[rows, cols]` row-major to `[cols, rows]`. */
export function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = w[offset + c]!;
  }
  return out;
}

export class BertGraphContext {
  readonly g = new GraphBuilder('bert_splade');
  readonly H: number;
  readonly heads: number;
  readonly V: number;
  /** The compute type chosen by `precision`. */
  readonly T: number;
  /** The type weights are stored and computed in from here on (the head may switch to float32, see float32Head). */
  current: number;
  /** `Shape(input_ids)`, made by the embeddings; other builders derive shapes from it. */
  idsShape = '';

  constructor(
    readonly cfg: BertConfig,
    readonly precision: FloatPrecision,
    readonly attention: AttentionKind,
    readonly target: GraphTarget,
    readonly tuning: ResolvedWebGpuTuning,
  ) {
    this.H = cfg.hiddenSize;
    this.heads = cfg.numAttentionHeads;
    this.V = cfg.vocabSize;
    this.T = precision === 'fp16' ? DataType.FLOAT16 : DataType.FLOAT;
    this.current = this.T;
  }

  /** Fused attention as the WebGPU provider runs it: an additive bias instead of a mask index. */
  get biasAttention(): boolean {
    return this.attention === 'fused' && this.target === 'webgpu';
  }

  /** An initializer in the current compute type. */
  weight(name: string, dims: number[], values: Float32Array | number[]): string {
    return this.current === DataType.FLOAT16 ? this.g.float16(name, dims, values) : this.g.float32(name, dims, values);
  }

  scalarT(name: string, value: number): string {
    return this.weight(name, [], [value]);
  }

  layerNorm(input: string, gamma: Float32Array, beta: Float32Array, name: string): string {
    return this.g.op('LayerNormalization', [input, this.weight(`${name}.gamma`, [this.H], gamma), this.weight(`${name}.beta`, [this.H], beta)], {
      name,
      attributes: [intAttr('axis', -1), floatAttr('epsilon', this.cfg.layerNormEps)],
    });
  }

  /** `input · Wᵀ` with W stored transposed (`[in, out]`). */
  matmul(input: string, linear: LinearWeights, name: string): string {
    return this.g.op('MatMul', [input, this.weight(`${name}.weight`, [linear.inFeatures, linear.outFeatures], transpose(linear.weight, linear.outFeatures, linear.inFeatures))], { name });
  }

  bias(linear: LinearWeights, name: string): string {
    return this.weight(`${name}.bias`, [linear.outFeatures], linear.bias);
  }

  dense(input: string, linear: LinearWeights, name: string): string {
    return this.g.op('Add', [this.matmul(input, linear, name), this.bias(linear, name)], { name: `${name}_biased` });
  }

  /** x * 0.5 * (1 + erf(x / sqrt(2))): the exact GELU, in the form onnxruntime fuses into Gelu. */
  gelu(input: string, name: string): string {
    const erf = this.g.op('Erf', [this.g.op('Div', [input, this.scalarT(`${name}.sqrt2`, Math.SQRT2)])]);
    const scaled = this.g.op('Mul', [input, this.g.op('Add', [erf, this.scalarT(`${name}.one`, 1)])]);
    return this.g.op('Mul', [scaled, this.scalarT(`${name}.half`, 0.5)], { name });
  }
}
