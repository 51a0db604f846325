/** A tiny ONNX model (y = x + x over a float32 vector of any length), written as protobuf bytes, for provider probes. */

/** The model's input and output names and a feed for it: `y` must equal `2 * x`. */
export const tinyModelIo = { input: 'x', output: 'y' } as const;

/**
 * Returns the bytes of an ONNX ModelProto (IR version 8, opset 17) whose graph is one `Add(x, x)` node on a float32
 * tensor of shape `[n]`. Every execution provider implements Add, so a session on it shows whether the provider loads
 * and runs without any model file on disk.
 */
export function tinyAddModel(): Uint8Array {
  const tensorType = (dimParam: string) =>
    field(1, [...varintField(1, 1), ...field(2, field(1, field(2, text(dimParam))))]); // elem_type FLOAT, shape [n]
  const valueInfo = (name: string) => [...field(1, text(name)), ...field(2, tensorType('n'))];
  const node = [...field(1, text('x')), ...field(1, text('x')), ...field(2, text('y')), ...field(4, text('Add'))];
  const graph = [
    ...field(1, node),
    ...field(2, text('tiny_add')),
    ...field(11, valueInfo(tinyModelIo.input)),
    ...field(12, valueInfo(tinyModelIo.output)),
  ];
  const opset = [...field(1, text('')), ...varintField(2, 17)];
  const model = [
    ...varintField(1, 8), // ir_version
    ...field(2, text('splade-search')), // producer_name
    ...field(7, graph),
    ...field(8, opset),
  ];
  return Uint8Array.from(model);
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function text(value: string): number[] {
  return [...new TextEncoder().encode(value)];
}

/** A length-delimited protobuf field (wire type 2): a message, a string or bytes. */
function field(number: number, payload: number[]): number[] {
  return [...varint((number << 3) | 2), ...varint(payload.length), ...payload];
}

/** A varint protobuf field (wire type 0). */
function varintField(number: number, value: number): number[] {
  return [...varint(number << 3), ...varint(value)];
}
