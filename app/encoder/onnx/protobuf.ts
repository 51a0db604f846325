/** A minimal protobuf wire-format writer and reader, enough for the subset of onnx.proto the encoder uses. */
import { EncoderError } from '../encoder-error.js';


const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

/**
 * A message being written. Small fields are appended to an internal buffer; large byte arrays (tensor data) are
 * kept by reference, so a model of hundreds of megabytes is never copied into one buffer.
 */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(256);
  private used = 0;
  private total = 0;

  /** Total encoded size in bytes. */
  get byteLength(): number {
    return this.total + this.used;
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.scratch.length) return;
    const next = new Uint8Array(Math.max(this.scratch.length * 2, this.used + bytes));
    next.set(this.scratch.subarray(0, this.used));
    this.scratch = next;
  }

  private flush(): void {
    if (this.used === 0) return;
    this.chunks.push(this.scratch.slice(0, this.used));
    this.total += this.used;
    this.used = 0;
  }

  private rawVarint(value: number | bigint): void {
    this.reserve(10);
    let v = BigInt.asUintN(64, BigInt(value));
    if (typeof value === 'number' && value >= 0 && value < 2 ** 31) {
      let n = value;
      while (n >= 0x80) {
        this.scratch[this.used++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      this.scratch[this.used++] = n;
      return;
    }
    while (v >= 0x80n) {
      this.scratch[this.used++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.scratch[this.used++] = Number(v);
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  /** int32, int64, uint64, enum and bool fields (negative numbers as 64-bit two's complement, like protoc). */
  varint(field: number, value: number | bigint | boolean): this {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    this.reserve(4);
    new DataView(this.scratch.buffer).setFloat32(this.used, value, true);
    this.used += 4;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value), true);
  }

  /** A length-delimited field; `copy` false keeps a reference to `value` (it must not change afterwards). */
  bytes(field: number, value: Uint8Array, copy = value.length < 1024): this {
    this.tag(field, WIRE_BYTES);
    this.rawVarint(value.length);
    if (copy) {
      this.reserve(value.length);
      this.scratch.set(value, this.used);
      this.used += value.length;
    } else {
      this.flush();
      this.chunks.push(value);
      this.total += value.length;
    }
    return this;
  }

  /** An embedded message. */
  message(field: number, value: ProtoWriter): this {
    this.tag(field, WIRE_BYTES);
    this.rawVarint(value.byteLength);
    if (value.byteLength < 1024) {
      const bytes = value.toBytes();
      this.reserve(bytes.length);
      this.scratch.set(bytes, this.used);
      this.used += bytes.length;
    } else {
      this.flush();
      for (const chunk of value.toChunks()) {
        this.chunks.push(chunk);
        this.total += chunk.length;
      }
    }
    return this;
  }

  /** A packed repeated varint field. */
  packedVarints(field: number, values: ReadonlyArray<number | bigint>): this {
    if (values.length === 0) return this;
    const inner = new ProtoWriter();
    for (const v of values) inner.rawVarint(v);
    return this.bytes(field, inner.toBytes(), true);
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: ReadonlyArray<number>): this {
    if (values.length === 0) return this;
    const data = new Float32Array(values);
    return this.bytes(field, new Uint8Array(data.buffer), true);
  }

  /** Appends already-encoded fields (e.g. fields kept verbatim from a parsed message). */
  raw(bytes: Uint8Array): this {
    if (bytes.length < 1024) {
      this.reserve(bytes.length);
      this.scratch.set(bytes, this.used);
      this.used += bytes.length;
    } else {
      this.flush();
      this.chunks.push(bytes);
      this.total += bytes.length;
    }
    return this;
  }

  /** The encoded message as a list of byte chunks (references to large inputs, not copies). */
  toChunks(): Uint8Array[] {
    this.flush();
    return [...this.chunks];
  }

  /** The encoded message in one buffer. */
  toBytes(): Uint8Array {
    const chunks = this.toChunks();
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(this.total);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

/** One field as read from the wire. `raw` is the whole field (tag included), for writing it back unchanged. */
export interface ProtoField {
  field: number;
  wire: number;
  /** Varint value (wire 0). */
  varint: bigint;
  /** Payload of length-delimited (wire 2) and fixed-size (wire 1, 5) fields. */
  bytes: Uint8Array;
  raw: Uint8Array;
}

/** Splits one message into its fields, in order. Throws on truncated or malformed input. */
export function readFields(message: Uint8Array, where = 'protobuf message'): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= message.length) throw new EncoderError('model-invalid', `${where}: truncated varint at byte ${pos}`);
      const byte = message[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
      shift += 7n;
      if (shift > 63n) throw new EncoderError('model-invalid', `${where}: varint too long at byte ${pos}`);
    }
  };
  while (pos < message.length) {
    const start = pos;
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value = 0n;
    let bytes: Uint8Array = message.subarray(pos, pos);
    if (wire === WIRE_VARINT) value = varint();
    else if (wire === WIRE_BYTES) {
      const length = Number(varint());
      if (pos + length > message.length) {
        throw new EncoderError('model-invalid', `${where}: field ${field} claims ${length} bytes, only ${message.length - pos} remain`);
      }
      bytes = message.subarray(pos, pos + length);
      pos += length;
    } else if (wire === WIRE_FIXED32 || wire === WIRE_FIXED64) {
      const length = wire === WIRE_FIXED32 ? 4 : 8;
      if (pos + length > message.length) throw new EncoderError('model-invalid', `${where}: truncated fixed-size field ${field}`);
      bytes = message.subarray(pos, pos + length);
      pos += length;
    } else {
      throw new EncoderError('model-invalid', `${where}: unsupported wire type ${wire} for field ${field} at byte ${start}`);
    }
    if (field === 0) throw new EncoderError('model-invalid', `${where}: field number 0 at byte ${start}`);
    fields.push({ field, wire, varint: value, bytes, raw: message.subarray(start, pos) });
  }
  return fields;
}

/** Decodes a packed (or single) repeated varint field's values. */
export function readPackedVarints(field: ProtoField): bigint[] {
  if (field.wire === WIRE_VARINT) return [field.varint];
  const values: bigint[] = [];
  let current = 0n;
  let shift = 0n;
  for (const byte of field.bytes) {
    current |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) {
      values.push(current);
      current = 0n;
      shift = 0n;
    } else shift += 7n;
  }
  if (shift !== 0n) throw new EncoderError('model-invalid', `protobuf message: truncated packed varint in field ${field.field}`);
  return values;
}

export function decodeString(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** A varint read as a signed 64-bit integer, as a number. */
export function signedNumber(value: bigint): number {
  return Number(BigInt.asIntN(64, value));
}
