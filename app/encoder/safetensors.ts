/** Reads safetensors files: validates the header against the file and hands out tensors as float32 arrays. */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { EncoderError } from './encoder-error.js';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Bytes per element of each dtype this reader understands. */
const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

export interface SafetensorsTensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range inside the data section (after the 8-byte length and the JSON header). */
  begin: number;
  end: number;
}

/** The largest JSON header we accept (the format's reference implementation uses 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/** One safetensors file, read fully into memory. */
export class SafetensorsFile {
  private constructor(
    /** The path as given, used in error messages. */
    readonly path: string,
    private readonly bytes: Buffer,
    private readonly dataStart: number,
    readonly tensors: ReadonlyMap<string, SafetensorsTensorInfo>,
    readonly metadata: Readonly<Record<string, string>>,
  ) {}

  /** Reads and validates `path`. Every error names the file and, where it applies, the tensor. */
  static async read(path: string): Promise<SafetensorsFile> {
    let bytes: Buffer;
    try {
      const handle = await open(path, 'r');
      try {
        bytes = await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new EncoderError('model-not-found', `Cannot read ${describe(path)}: the file does not exist`);
      throw new EncoderError('model-invalid', `Cannot read ${describe(path)}: ${(error as Error).message}`);
    }
    return SafetensorsFile.fromBytes(path, bytes);
  }

  /** Validates `bytes` as the contents of a safetensors file called `path`. */
  static fromBytes(path: string, bytes: Buffer): SafetensorsFile {
    const where = `Cannot read ${describe(path)}`;
    if (bytes.length < 8) throw new EncoderError('model-invalid', `${where}: file is ${bytes.length} bytes, too short for a safetensors header`);
    const headerLength = bytes.readBigUInt64LE(0);
    if (headerLength > BigInt(bytes.length - 8)) {
      throw new EncoderError('model-invalid', `${where}: header length ${headerLength} exceeds file size ${bytes.length}`);
    }
    if (headerLength > BigInt(MAX_HEADER_BYTES)) {
      throw new EncoderError('model-invalid', `${where}: header length ${headerLength} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
    }
    const dataStart = 8 + Number(headerLength);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
    } catch (error) {
      throw new EncoderError('model-invalid', `${where}: the header is not valid JSON (${(error as Error).message})`);
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) {
      throw new EncoderError('model-invalid', `${where}: the header is not a JSON object`);
    }
    const dataLength = bytes.length - dataStart;
    const tensors = new Map<string, SafetensorsTensorInfo>();
    let metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          throw new EncoderError('model-invalid', `${where}: __metadata__ is not an object`);
        }
        metadata = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
        continue;
      }
      tensors.set(name, parseTensorInfo(where, name, value, dataLength));
    }
    return new SafetensorsFile(path, bytes, dataStart, tensors, metadata);
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  /** The tensor's description; throws naming the file and the tensor when it is absent. */
  info(name: string): SafetensorsTensorInfo {
    const info = this.tensors.get(name);
    if (!info) throw new EncoderError('model-invalid', `Cannot find tensor ${name} in ${describe(this.path)}`);
    return info;
  }

  /**
   * The tensor as float32 (F32 as stored; F16, BF16 and F64 converted). The array may share memory with this
   * file's buffer: callers that modify it must not read the same tensor again expecting the stored values.
   */
  float32(name: string): Float32Array {
    const info = this.info(name);
    const start = this.dataStart + info.begin;
    const count = (info.end - info.begin) / DTYPE_BYTES[info.dtype];
    const raw = this.bytes;
    switch (info.dtype) {
      case 'F32': {
        if ((raw.byteOffset + start) % 4 === 0) return new Float32Array(raw.buffer, raw.byteOffset + start, count);
        return new Float32Array(copyBytes(raw, start, info.end - info.begin));
      }
      case 'F16': {
        const out = new Float32Array(count);
        for (let i = 0; i < count; i++) out[i] = halfToFloat(raw.readUInt16LE(start + 2 * i));
        return out;
      }
      case 'BF16': {
        const out = new Float32Array(count);
        const bits = new Uint32Array(out.buffer);
        for (let i = 0; i < count; i++) bits[i] = raw.readUInt16LE(start + 2 * i) << 16;
        return out;
      }
      case 'F64': {
        const out = new Float32Array(count);
        for (let i = 0; i < count; i++) out[i] = raw.readDoubleLE(start + 8 * i);
        return out;
      }
      default:
        throw new EncoderError(
          'model-unsupported',
          `Cannot read tensor ${name} in ${describe(this.path)}: dtype ${info.dtype} is not a floating-point type`,
        );
    }
  }

  /** The raw bytes of a tensor (a view into the file's buffer). */
  rawBytes(name: string): Uint8Array {
    const info = this.info(name);
    return new Uint8Array(this.bytes.buffer, this.bytes.byteOffset + this.dataStart + info.begin, info.end - info.begin);
  }
}

function parseTensorInfo(where: string, name: string, value: unknown, dataLength: number): SafetensorsTensorInfo {
  const bad = (problem: string) => new EncoderError('model-invalid', `${where}: tensor ${name}: ${problem}`);
  if (typeof value !== 'object' || value === null) throw bad('the header entry is not an object');
  const entry = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof entry.dtype !== 'string' || !(entry.dtype in DTYPE_BYTES)) {
    throw bad(`unsupported dtype ${JSON.stringify(entry.dtype)}`);
  }
  const dtype = entry.dtype as SafetensorsDtype;
  if (!Array.isArray(entry.shape) || !entry.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw bad(`shape ${JSON.stringify(entry.shape)} is not a list of non-negative integers`);
  }
  const shape = entry.shape as number[];
  const offsets = entry.data_offsets;
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    throw bad(`data_offsets ${JSON.stringify(offsets)} are not a [begin, end] pair of byte offsets`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataLength) {
    throw bad(`data offsets [${begin}, ${end}] lie beyond the end of the file (data section is ${dataLength} bytes)`);
  }
  const elements = shape.reduce((a, b) => a * b, 1);
  const needed = elements * DTYPE_BYTES[dtype];
  if (needed !== end - begin) {
    throw bad(`shape [${shape.join(', ')}] of ${dtype} needs ${needed} bytes, but its data offsets span ${end - begin}`);
  }
  return { name, dtype, shape, begin, end };
}

function copyBytes(raw: Buffer, start: number, length: number): ArrayBuffer {
  const out = new ArrayBuffer(length);
  new Uint8Array(out).set(raw.subarray(start, start + length));
  return out;
}

/** IEEE 754 half precision bits to a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** `name in folder` for messages: the file name and its folder. */
function describe(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return slash < 0 ? path : `${basename(path)} in ${path.slice(0, slash) || '/'}`;
}
