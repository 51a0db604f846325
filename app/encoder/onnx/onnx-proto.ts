/** The subset of onnx.proto the encoder writes (model, graph, node, attribute, tensor, value info) and its encoding. */
import { ProtoWriter } from './protobuf.js';

/** TensorProto.DataType values used here. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  BFLOAT16: 16,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

export interface OnnxTensor {
  name: string;
  dataType: DataTypeCode;
  dims: number[];
  /** Little-endian element bytes (TensorProto.raw_data); ignored when `external` is set. */
  raw: Uint8Array;
  /** Data stored in a separate file next to the model (TensorProto.external_data, data_location EXTERNAL). */
  external?: { location: string; offset: number; length: number };
}

export type OnnxAttribute =
  | { name: string; type: 'int'; value: number }
  | { name: string; type: 'float'; value: number }
  | { name: string; type: 'string'; value: string }
  | { name: string; type: 'ints'; value: number[] }
  | { name: string; type: 'floats'; value: number[] }
  | { name: string; type: 'tensor'; value: OnnxTensor };

export interface OnnxNode {
  opType: string;
  /** '' (or undefined) for the default ONNX domain, e.g. 'com.microsoft' for contrib operators. */
  domain?: string;
  name?: string;
  inputs: string[];
  outputs: string[];
  attributes?: OnnxAttribute[];
}

/** A tensor's element type and shape; a string dimension is symbolic (e.g. 'batch'). */
export interface OnnxValueInfo {
  name: string;
  elemType: DataTypeCode;
  shape: Array<number | string>;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsetImports: Array<{ domain: string; version: number }>;
  producerName: string;
  producerVersion: string;
  graph: OnnxGraph;
  metadata?: Record<string, string>;
}

// Field numbers from onnx.proto.
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

export function encodeTensor(tensor: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter();
  w.packedVarints(1, tensor.dims);
  w.varint(2, tensor.dataType);
  w.string(8, tensor.name);
  if (tensor.external) {
    const { location, offset, length } = tensor.external;
    for (const [key, value] of [['location', location], ['offset', String(offset)], ['length', String(length)]] as const) {
      w.message(13, encodeMetadataEntry(key, value));
    }
    w.varint(14, 1);
  } else w.bytes(9, tensor.raw);
  return w;
}

export function encodeAttribute(attribute: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter();
  w.string(1, attribute.name);
  switch (attribute.type) {
    case 'float':
      w.float(2, attribute.value);
      break;
    case 'int':
      w.varint(3, attribute.value);
      break;
    case 'string':
      w.string(4, attribute.value);
      break;
    case 'tensor':
      w.message(5, encodeTensor(attribute.value));
      break;
    case 'floats':
      w.packedFloats(7, attribute.value);
      break;
    case 'ints':
      w.packedVarints(8, attribute.value);
      break;
  }
  w.varint(20, ATTRIBUTE_TYPE[attribute.type]);
  return w;
}

export function encodeNode(node: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  if (node.name) w.string(3, node.name);
  w.string(4, node.opType);
  for (const attribute of node.attributes ?? []) w.message(5, encodeAttribute(attribute));
  if (node.domain) w.string(7, node.domain);
  return w;
}

export function encodeValueInfo(info: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of info.shape) {
    const d = new ProtoWriter();
    if (typeof dim === 'number') d.varint(1, dim);
    else d.string(2, dim);
    shape.message(1, d);
  }
  const tensorType = new ProtoWriter().varint(1, info.elemType).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, info.name).message(2, type);
}

export function encodeGraph(graph: OnnxGraph): ProtoWriter {
  const w = new ProtoWriter();
  for (const node of graph.nodes) w.message(1, encodeNode(node));
  w.string(2, graph.name);
  for (const tensor of graph.initializers) w.message(5, encodeTensor(tensor));
  for (const input of graph.inputs) w.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) w.message(12, encodeValueInfo(output));
  return w;
}

export function encodeOpsetImport(opset: { domain: string; version: number }): ProtoWriter {
  const w = new ProtoWriter();
  if (opset.domain) w.string(1, opset.domain);
  return w.varint(2, opset.version);
}

export function encodeMetadataEntry(key: string, value: string): ProtoWriter {
  return new ProtoWriter().string(1, key).string(2, value);
}

export function encodeModel(model: OnnxModel): ProtoWriter {
  const w = new ProtoWriter();
  w.varint(1, model.irVersion);
  w.string(2, model.producerName);
  w.string(3, model.producerVersion);
  w.message(7, encodeGraph(model.graph));
  for (const opset of model.opsetImports) w.message(8, encodeOpsetImport(opset));
  for (const [key, value] of Object.entries(model.metadata ?? {})) w.message(14, encodeMetadataEntry(key, value));
  return w;
}
