/**
 * Rewrites a float32 graph for onnxruntime's CPU int8 kernels: every product with a constant weight matrix becomes
 * int8 × uint8 (weights quantized here, symmetric, one scale per output column; activations quantized by the
 * operator at run time, per tensor, asymmetric uint8), which MLAS runs with VNNI / AMX-INT8 where the CPU has them.
 *
 * - MatMul(A, W) with W a float32 initializer [K, N] -> com.microsoft DynamicQuantizeMatMul(A, Wq, scales).
 * - Gemm(A, W, C?) with W a float32 initializer (transB 0 or 1; alpha 1, beta 1, transA 0; the BERT decoder) ->
 *   DynamicQuantizeMatMul(A, Wq [K, N], scales, '', C); the transposed int8 copy is what the node reads, so a table
 *   shared with a Gather (tied word embeddings) stays in float32 for the Gather.
 * - com.microsoft Attention(x, W [D, 3H], bias, mask_index) -> DynamicQuantizeLinear(x) then com.microsoft
 *   QAttention(xq, Wq, bias, x_scale, scales, mask_index, x_zero_point); the scores and softmax stay float32.
 *
 * Products of two activations (attention scores in the standard-operator graph) and everything else stay float32.
 */
import { DataType, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx-proto.js';
import { EncoderError } from '../encoder-error.js';

const MS = 'com.microsoft';

/** Bumped whenever the graphs this pass writes change, so that cached int8 graphs are rebuilt (part of their cache key). */
export const CPU_INT8_VERSION = '1';

export interface CpuInt8Options {
  /**
   * The fused Attention's packed QKV projection: 'int8' (QAttention, default), 'int8-mha' (one DynamicQuantizeMatMul
   * for Q, K and V, Split, then float32 com.microsoft MultiHeadAttention) or 'fp32' (kept as it is).
   */
  attention?: 'int8' | 'int8-mha' | 'fp32';
  /** Weight products whose B has this many columns or more (the 30522-wide vocabulary decoder): 'int8' (default) or 'fp32'. */
  decoder?: 'int8' | 'fp32';
  /** Output width from which a product counts as the decoder. Default 10000. */
  decoderMinColumns?: number;
  /**
   * Weights in [-63, 63] instead of [-127, 127]: for CPUs without VNNI, whose u8 × s8 kernel (vpmaddubsw) can saturate
   * the 16-bit sum of two products. Costs one bit of weight precision. Default false.
   */
  reduceRange?: boolean;
  /** Nodes whose name matches are left in float32, whatever their kind (e.g. /^layer11\./ or /\.output_node$/; no g flag). */
  keepFloat?: RegExp;
}

export interface CpuInt8Summary {
  /** Nodes rewritten, by kind: 'MatMul', 'Gemm', 'Attention'. */
  quantized: Record<string, number>;
  /** Weight products left in float32 (by option or because their form is not one this pass handles), with why. */
  keptFloat: Array<{ node: string; reason: string }>;
  /** Bytes of initializers before and after. */
  initializerBytes: { before: number; after: number };
}

/** Symmetric int8 quantization of a row-major [K, N] matrix with one scale per column (per output channel). */
export function quantizePerColumn(weights: Float32Array, K: number, N: number, reduceRange = false): { values: Int8Array; scales: Float32Array } {
  if (weights.length !== K * N) throw new Error(`quantizePerColumn: ${weights.length} values do not make a [${K}, ${N}] matrix`);
  const limit = reduceRange ? 63 : 127;
  const maxAbs = new Float32Array(N);
  for (let k = 0; k < K; k++) {
    const row = k * N;
    for (let n = 0; n < N; n++) {
      const a = Math.abs(weights[row + n]!);
      if (a > maxAbs[n]!) maxAbs[n] = a;
      else if (a !== a) throw new EncoderError('model-invalid', `quantizePerColumn: column ${n} holds a non-finite weight`);
    }
  }
  const scales = new Float32Array(N);
  const inverse = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const m = maxAbs[n]!;
    if (!Number.isFinite(m)) throw new EncoderError('model-invalid', `quantizePerColumn: column ${n} holds a non-finite weight`);
    // An all-zero column keeps scale 1 (its values quantize to 0 either way).
    scales[n] = m > 0 ? m / limit : 1;
    inverse[n] = 1 / scales[n]!;
  }
  const values = new Int8Array(K * N);
  for (let k = 0; k < K; k++) {
    const row = k * N;
    for (let n = 0; n < N; n++) {
      // Round half to even: Math.round rounds halves up, so step back from an odd result that is exactly 0.5 above.
      const x = weights[row + n]! * inverse[n]!;
      let q = Math.round(x);
      if (q - x === 0.5 && (q & 1) !== 0) q--;
      values[row + n] = q > limit ? limit : q < -limit ? -limit : q;
    }
  }
  return { values, scales };
}

/** The float32 values of an initializer (copied when its bytes are not 4-aligned). */
function floatValues(tensor: OnnxTensor): Float32Array {
  const raw = tensor.raw;
  if (raw.byteOffset % 4 === 0) return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  return new Float32Array(raw.slice().buffer);
}

function transposed(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}

const bytesOf = (a: Int8Array | Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function attribute(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attributes?.find((a) => a.name === name);
}

function intAttribute(node: OnnxNode, name: string, fallback: number): number {
  const a = attribute(node, name);
  return a && (a.type === 'int' || a.type === 'float') ? a.value : fallback;
}

/**
 * Returns a copy of `model` with its weight products in int8 for the CPU provider (see the module comment), and what
 * was done. `model` itself is not changed (unchanged initializers are shared, not copied). Throws when the model
 * holds nothing to quantize.
 */
export function quantizeForCpu(model: OnnxModel, options: CpuInt8Options = {}): { model: OnnxModel; summary: CpuInt8Summary } {
  const graph = model.graph;
  const initializers = new Map(graph.initializers.map((t) => [t.name, t]));
  const used = new Set<string>([...graph.initializers.map((t) => t.name), ...graph.inputs.map((i) => i.name)]);
  for (const node of graph.nodes) for (const name of [...node.inputs, ...node.outputs]) used.add(name);
  const fresh = (base: string) => {
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
  const decoderMinColumns = options.decoderMinColumns ?? 10000;
  const added: OnnxTensor[] = [];
  const summary: CpuInt8Summary = { quantized: {}, keptFloat: [], initializerBytes: { before: 0, after: 0 } };
  const count = (kind: string) => (summary.quantized[kind] = (summary.quantized[kind] ?? 0) + 1);
  const keep = (node: OnnxNode, reason: string) => summary.keptFloat.push({ node: node.name ?? node.outputs[0]!, reason });
  const floatMatrix = (name: string | undefined) => {
    const t = name ? initializers.get(name) : undefined;
    return t && t.dataType === DataType.FLOAT && t.dims.length === 2 && !t.external ? t : undefined;
  };
  /** Adds Wq (int8 [K, N]) and its scales ([N]) as initializers; returns their names. */
  const addQuantized = (base: string, values: Float32Array, K: number, N: number) => {
    const q = quantizePerColumn(values, K, N, options.reduceRange);
    const weight = fresh(`${base}_int8`);
    const scale = fresh(`${base}_scale`);
    added.push({ name: weight, dataType: DataType.INT8, dims: [K, N], raw: bytesOf(q.values) });
    added.push({ name: scale, dataType: DataType.FLOAT, dims: [N], raw: bytesOf(q.scales) });
    return { weight, scale };
  };

  const nodes: OnnxNode[] = [];
  for (const node of graph.nodes) {
    const name = node.name ?? node.outputs[0]!;
    const domain = node.domain ?? '';
    if (options.keepFloat?.test(name)) {
      if (['MatMul', 'Gemm', 'Attention'].includes(node.opType)) keep(node, 'keepFloat');
      nodes.push(node);
      continue;
    }
    if (domain === '' && node.opType === 'MatMul') {
      const w = floatMatrix(node.inputs[1]);
      if (!w) {
        nodes.push(node);
        continue;
      }
      const [K, N] = w.dims as [number, number];
      if (N >= decoderMinColumns && options.decoder === 'fp32') {
        keep(node, 'decoder: fp32');
        nodes.push(node);
        continue;
      }
      const q = addQuantized(w.name, floatValues(w), K, N);
      nodes.push({ opType: 'DynamicQuantizeMatMul', domain: MS, name: `${name}_int8`, inputs: [node.inputs[0]!, q.weight, q.scale], outputs: node.outputs });
      count('MatMul');
      continue;
    }
    if (domain === '' && node.opType === 'Gemm') {
      const w = floatMatrix(node.inputs[1]);
      const c = node.inputs[2] ? initializers.get(node.inputs[2]) : undefined;
      const plain = intAttribute(node, 'transA', 0) === 0 && intAttribute(node, 'alpha', 1) === 1 && intAttribute(node, 'beta', 1) === 1;
      const transB = intAttribute(node, 'transB', 0) === 1;
      if (!w || !plain || (node.inputs[2] && !(c && c.dataType === DataType.FLOAT && c.dims.length === 1))) {
        if (w) keep(node, 'Gemm form not handled (transA, alpha, beta or a non-vector C)');
        nodes.push(node);
        continue;
      }
      const [K, N] = (transB ? [w.dims[1], w.dims[0]] : w.dims) as [number, number];
      if (N >= decoderMinColumns && options.decoder === 'fp32') {
        keep(node, 'decoder: fp32');
        nodes.push(node);
        continue;
      }
      const values = transB ? transposed(floatValues(w), N, K) : floatValues(w);
      const q = addQuantized(w.name, values, K, N);
      const inputs = [node.inputs[0]!, q.weight, q.scale];
      if (c) inputs.push('', c.name);
      nodes.push({ opType: 'DynamicQuantizeMatMul', domain: MS, name: `${name}_int8`, inputs, outputs: node.outputs });
      count('Gemm');
      continue;
    }
    if (domain === MS && node.opType === 'Attention') {
      const w = floatMatrix(node.inputs[1]);
      const extraInputs = node.inputs.slice(4).some((i) => i !== '');
      const attributes = node.attributes ?? [];
      const supported = attributes.every((a) => a.name === 'num_heads' || a.name === 'unidirectional');
      if (!w || options.attention === 'fp32' || extraInputs || !supported || node.outputs.length > 1) {
        if (w) keep(node, options.attention === 'fp32' ? 'attention: fp32' : 'Attention form not handled (past, attention bias or attributes)');
        nodes.push(node);
        continue;
      }
      const [D, H3] = w.dims as [number, number];
      const q = addQuantized(w.name, floatValues(w), D, H3);
      const input = node.inputs[0]!;
      if (options.attention === 'int8-mha') {
        const projected = fresh(`${name}_qkv`);
        const inputs = [input, q.weight, q.scale];
        if (node.inputs[2]) inputs.push('', node.inputs[2]);
        nodes.push({ opType: 'DynamicQuantizeMatMul', domain: MS, name: `${name}_qkv_int8`, inputs, outputs: [projected] });
        const H = H3 / 3;
        const split = fresh(`${name}_split_sizes`);
        added.push({ name: split, dataType: DataType.INT64, dims: [3], raw: new Uint8Array(new BigInt64Array([BigInt(H), BigInt(H), BigInt(H)]).buffer) });
        const qkv = [fresh(`${name}_q`), fresh(`${name}_k`), fresh(`${name}_v`)];
        nodes.push({ opType: 'Split', name: `${name}_split`, inputs: [projected, split], outputs: qkv, attributes: [{ name: 'axis', type: 'int', value: 2 }] });
        nodes.push({ opType: 'MultiHeadAttention', domain: MS, name: `${name}_mha`, inputs: [...qkv, '', node.inputs[3] ?? ''], outputs: node.outputs, attributes: attributes.filter((a) => a.name === 'num_heads') });
        count('Attention');
        continue;
      }
      const [xq, xScale, xZero] = [fresh(`${input}_uint8`), fresh(`${input}_scale`), fresh(`${input}_zero_point`)];
      nodes.push({ opType: 'DynamicQuantizeLinear', name: `${name}_quantize_input`, inputs: [input], outputs: [xq, xScale, xZero] });
      nodes.push({
        opType: 'QAttention',
        domain: MS,
        name: `${name}_int8`,
        inputs: [xq, q.weight, node.inputs[2] ?? '', xScale, q.scale, node.inputs[3] ?? '', xZero],
        outputs: node.outputs,
        attributes,
      });
      count('Attention');
      continue;
    }
    nodes.push(node);
  }
  if (Object.keys(summary.quantized).length === 0) throw new Error(`quantizeForCpu: graph "${graph.name}" has no weight product to quantize`);

  // Drop the float32 weights no node reads any more.
  const read = new Set<string>();
  for (const node of nodes) for (const input of node.inputs) read.add(input);
  for (const output of graph.outputs) read.add(output.name);
  const kept = graph.initializers.filter((t) => read.has(t.name));
  const finalInitializers = [...kept, ...added];
  const size = (ts: OnnxTensor[]) => ts.reduce((sum, t) => sum + (t.external ? t.external.length : t.raw.byteLength), 0);
  summary.initializerBytes = { before: size(graph.initializers), after: size(finalInitializers) };
  const opsetImports = model.opsetImports.some((o) => o.domain === MS) ? model.opsetImports : [...model.opsetImports, { domain: MS, version: 1 }];
  return { model: { ...model, opsetImports, graph: { ...graph, nodes, initializers: finalInitializers } }, summary };
}
