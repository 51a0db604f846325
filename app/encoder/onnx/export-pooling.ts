/**
 * Turns a ready-made masked-LM ONNX export (output `logits` [batch, sequence, vocab]) into a SPLADE graph: the
 * `logits` output is replaced by pooling nodes. Everything else in the file is kept byte for byte.
 */
import { GraphBuilder } from './graph-builder.js';
import { DataType, encodeNode, encodeTensor, encodeValueInfo } from './onnx-proto.js';
import { appendLogitsPooling } from './pooling-nodes.js';
import { decodeString, ProtoWriter, readFields, signedNumber, type ProtoField } from './protobuf.js';
import type { SpladePoolingConfig } from '../splade-pooling.js';
import { EncoderError } from '../encoder-error.js';

export interface ValueInfoSummary {
  name: string;
  elemType: number;
  /** Numbers for fixed dimensions, strings for symbolic ones, undefined when unknown. */
  shape: Array<number | string | undefined> | undefined;
}

export interface ExportSummary {
  defaultOpset: number;
  inputs: ValueInfoSummary[];
  outputs: ValueInfoSummary[];
  /** `location`s of initializers stored in external data files, relative to the model file. */
  externalDataLocations: string[];
}

export interface PooledExport extends ExportSummary {
  /** The new model, as chunks to write in order. */
  chunks: Uint8Array[];
  outputName: string;
}

function parseValueInfo(bytes: Uint8Array): ValueInfoSummary {
  let name = '';
  let elemType = 0;
  let shape: ValueInfoSummary['shape'];
  for (const f of readFields(bytes)) {
    if (f.field === 1) name = decodeString(f.bytes);
    if (f.field === 2) {
      for (const t of readFields(f.bytes)) {
        if (t.field !== 1) continue; // tensor_type
        for (const tt of readFields(t.bytes)) {
          if (tt.field === 1) elemType = Number(tt.varint);
          if (tt.field === 2) {
            shape = readFields(tt.bytes)
              .filter((d) => d.field === 1)
              .map((d) => {
                let dim: number | string | undefined;
                for (const df of readFields(d.bytes)) {
                  if (df.field === 1) dim = signedNumber(df.varint);
                  if (df.field === 2) dim = decodeString(df.bytes);
                }
                return dim;
              });
          }
        }
      }
    }
  }
  return { name, elemType, shape };
}

/** Reads the parts of a model that decide how to use it: opset, inputs, outputs, external data. */
export function summarizeExport(bytes: Uint8Array, where: string): ExportSummary & { top: ProtoField[]; graph: ProtoField[] } {
  const top = readFields(bytes, where);
  const graphs = top.filter((f) => f.field === 7);
  if (graphs.length !== 1) throw new EncoderError('model-invalid', `${where}: not an ONNX model (no graph)`);
  let defaultOpset = 0;
  for (const f of top.filter((f) => f.field === 8)) {
    let domain = '';
    let version = 0;
    for (const o of readFields(f.bytes, where)) {
      if (o.field === 1) domain = decodeString(o.bytes);
      if (o.field === 2) version = Number(o.varint);
    }
    if (domain === '' || domain === 'ai.onnx') defaultOpset = version;
  }
  const graph = readFields(graphs[0]!.bytes, where);
  const initializerNames = new Set<string>();
  const externalDataLocations = new Set<string>();
  for (const f of graph.filter((f) => f.field === 5)) {
    let external = false;
    let location: string | undefined;
    for (const t of readFields(f.bytes, where)) {
      if (t.field === 8) initializerNames.add(decodeString(t.bytes));
      if (t.field === 14 && t.varint === 1n) external = true;
      if (t.field === 13) {
        let key = '';
        let value = '';
        for (const e of readFields(t.bytes, where)) {
          if (e.field === 1) key = decodeString(e.bytes);
          if (e.field === 2) value = decodeString(e.bytes);
        }
        if (key === 'location') location = value;
      }
    }
    if (external && location) externalDataLocations.add(location);
  }
  const inputs = graph.filter((f) => f.field === 11).map((f) => parseValueInfo(f.bytes)).filter((i) => !initializerNames.has(i.name));
  const outputs = graph.filter((f) => f.field === 12).map((f) => parseValueInfo(f.bytes));
  return { defaultOpset, inputs, outputs, externalDataLocations: [...externalDataLocations], top, graph };
}

/** Replaces the `logits` output of a masked-LM export with SPLADE pooling. `where` names the file in errors. */
export function addPoolingToExport(bytes: Uint8Array, pooling: SpladePoolingConfig, where: string): PooledExport {
  const summary = summarizeExport(bytes, where);
  const logits = summary.outputs.find((o) => o.name === 'logits');
  if (!logits) {
    throw new EncoderError('model-unsupported', `${where}: has no output named "logits" (outputs: ${summary.outputs.map((o) => o.name).join(', ') || 'none'}); a masked-LM export is needed`);
  }
  if (logits.shape !== undefined && logits.shape.length !== 3) {
    throw new EncoderError('model-unsupported', `${where}: output "logits" has ${logits.shape.length} dimensions, expected [batch, sequence, vocab]`);
  }
  if (logits.elemType !== DataType.FLOAT && logits.elemType !== DataType.FLOAT16) {
    throw new EncoderError('model-unsupported', `${where}: output "logits" has element type ${logits.elemType}, expected float32 or float16`);
  }
  for (const name of ['input_ids', 'attention_mask']) {
    const input = summary.inputs.find((i) => i.name === name);
    if (!input) throw new EncoderError('model-unsupported', `${where}: has no input named "${name}" (inputs: ${summary.inputs.map((i) => i.name).join(', ')})`);
    if (input.elemType !== DataType.INT64) throw new EncoderError('model-unsupported', `${where}: input "${name}" is not int64`);
  }
  if (summary.defaultOpset < 11) throw new EncoderError('model-unsupported', `${where}: opset ${summary.defaultOpset} is too old (11 or later is needed)`);

  const g = new GraphBuilder('splade_pooling');
  // Reserve every name the graph already uses (node outputs, initializers, inputs).
  const names: string[] = [];
  for (const f of summary.graph) {
    if (f.field === 1) for (const n of readFields(f.bytes, where)) if (n.field === 2 || n.field === 3) names.push(decodeString(n.bytes));
    if (f.field === 11) names.push(parseValueInfo(f.bytes).name);
  }
  g.reserveNames(names);
  const outputName = appendLogitsPooling(g, 'logits', logits.elemType, 'attention_mask', pooling, summary.defaultOpset);
  const vocab = logits.shape?.[2] ?? 'vocab';

  const graph = new ProtoWriter();
  for (const f of summary.graph) if (f.field !== 12) graph.raw(f.raw);
  for (const node of g.nodes) graph.message(1, encodeNode(node));
  for (const tensor of g.initializers) graph.message(5, encodeTensor(tensor));
  graph.message(12, encodeValueInfo({ name: outputName, elemType: DataType.FLOAT, shape: [logits.shape?.[0] ?? 'batch', vocab] }));

  const model = new ProtoWriter();
  for (const f of summary.top) {
    if (f.field === 7) model.message(7, graph);
    else model.raw(f.raw);
  }
  return {
    defaultOpset: summary.defaultOpset,
    inputs: summary.inputs,
    outputs: [{ name: outputName, elemType: DataType.FLOAT, shape: [logits.shape?.[0], vocab] }],
    externalDataLocations: summary.externalDataLocations,
    chunks: model.toChunks(),
    outputName,
  };
}
