/** Writes safetensors files (used to make model folders for tests and benchmarks, and by tools that save weights). */
import { open } from 'node:fs/promises';
import type { SafetensorsDtype } from './safetensors.js';

export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Little-endian element bytes; a Float32Array is written as F32 data. */
  data: Uint8Array | Float32Array;
}

/** The file's bytes as a list of chunks: 8-byte header length, JSON header (padded to 8 bytes), tensor data. */
export function encodeSafetensors(
  tensors: Record<string, SafetensorsTensor>,
  metadata: Record<string, string> = { format: 'pt' },
): Uint8Array[] {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(headerBytes.length));
  return [length, headerBytes, ...chunks];
}

/** Writes a safetensors file at `path`. */
export async function writeSafetensors(
  path: string,
  tensors: Record<string, SafetensorsTensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  const handle = await open(path, 'w');
  try {
    for (const chunk of encodeSafetensors(tensors, metadata)) await handle.write(chunk);
  } finally {
    await handle.close();
  }
}
