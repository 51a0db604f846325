/** A small helper for assembling ONNX graphs: named initializers, nodes with generated output names. */
import { DataType, type DataTypeCode, type OnnxAttribute, type OnnxGraph, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-proto.js';

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  readonly inputs: OnnxValueInfo[] = [];
  readonly outputs: OnnxValueInfo[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  /** A name not used yet in this graph, derived from `base`. */
  uniqueName(base: string): string {
    let name = base;
    while (this.used.has(name)) name = `${base}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Marks names that already exist (e.g. in a parsed graph) as taken. */
  reserveNames(names: Iterable<string>): void {
    for (const name of names) this.used.add(name);
  }

  input(name: string, elemType: DataTypeCode, shape: Array<number | string>): string {
    this.used.add(name);
    this.inputs.push({ name, elemType, shape });
    return name;
  }

  output(name: string, elemType: DataTypeCode, shape: Array<number | string>): void {
    this.outputs.push({ name, elemType, shape });
  }

  tensor(name: string, dataType: DataTypeCode, dims: number[], raw: Uint8Array): string {
    const unique = this.uniqueName(name);
    this.initializers.push({ name: unique, dataType, dims, raw });
    return unique;
  }

  float32(name: string, dims: number[], values: Float32Array | number[]): string {
    const data = values instanceof Float32Array ? values : new Float32Array(values);
    return this.tensor(name, DataType.FLOAT, dims, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  float16(name: string, dims: number[], values: Float32Array | number[]): string {
    const data = toHalf(values instanceof Float32Array ? values : new Float32Array(values));
    return this.tensor(name, DataType.FLOAT16, dims, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  int64(name: string, dims: number[], values: number[]): string {
    const data = new BigInt64Array(values.map((v) => BigInt(v)));
    return this.tensor(name, DataType.INT64, dims, new Uint8Array(data.buffer));
  }

  /** Adds a node with `outputCount` fresh outputs named after `name`; returns the output names. */
  node(
    opType: string,
    inputs: string[],
    options: { attributes?: OnnxAttribute[]; domain?: string; name?: string; outputs?: number | string[] } = {},
  ): string[] {
    const base = options.name ?? opType;
    const nodeName = this.uniqueName(`${base}_node`);
    const outputs = Array.isArray(options.outputs)
      ? options.outputs.map((o) => (this.used.add(o), o))
      : Array.from({ length: options.outputs ?? 1 }, (_, i) => this.uniqueName(`${base}${i === 0 ? '' : `_${i}`}`));
    const node: OnnxNode = { opType, inputs, outputs, name: nodeName };
    if (options.attributes?.length) node.attributes = options.attributes;
    if (options.domain) node.domain = options.domain;
    this.nodes.push(node);
    return outputs;
  }

  /** Adds a node with one output and returns its name. */
  op(
    opType: string,
    inputs: string[],
    options: { attributes?: OnnxAttribute[]; domain?: string; name?: string; output?: string } = {},
  ): string {
    const { output, ...rest } = options;
    return this.node(opType, inputs, { ...rest, outputs: output ? [output] : 1 })[0]!;
  }

  graph(): OnnxGraph {
    return { name: this.name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs };
  }
}

export const intAttr = (name: string, value: number): OnnxAttribute => ({ name, type: 'int', value });
export const floatAttr = (name: string, value: number): OnnxAttribute => ({ name, type: 'float', value });
export const intsAttr = (name: string, value: number[]): OnnxAttribute => ({ name, type: 'ints', value });

/** float32 values to IEEE half-precision bits, rounding to nearest even. */
export function toHalf(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i]!;
    const x = u32[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    let mantissa = x & 0x7fffff;
    if (exponent === 0xff) {
      out[i] = sign | 0x7c00 | (mantissa ? 0x200 : 0);
      continue;
    }
    let e = exponent - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mantissa |= 0x800000;
      const shift = 14 - e;
      let half = mantissa >>> shift;
      const remainder = mantissa & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      if (remainder > halfway || (remainder === halfway && (half & 1))) half++;
      out[i] = sign | half;
      continue;
    }
    let half = (e << 10) | (mantissa >>> 13);
    const remainder = mantissa & 0x1fff;
    if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1))) half++;
    e = half >>> 10;
    out[i] = sign | half;
  }
  return out;
}
