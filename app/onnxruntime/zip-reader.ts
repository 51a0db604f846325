/** A small ZIP reader (stored and deflated entries, ZIP64) that lists a .nupkg and streams single entries out with CRC and size checks. */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createInflateRaw } from 'node:zlib';

export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** The archive is not a ZIP file, is truncated or corrupt, or uses a feature this reader does not support; the message names the file. */
export class ZipReadError extends Error {
  override name = 'ZipReadError' as const;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export class ZipArchive {
  private constructor(
    readonly path: string,
    readonly entries: ReadonlyMap<string, ZipEntry>,
    private readonly size: number,
  ) {}

  /** Reads the central directory of `path`. Rejects with ZipReadError when it is not a readable ZIP archive. */
  static async open(path: string): Promise<ZipArchive> {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      const entries = await readCentralDirectory(file, size, path);
      return new ZipArchive(path, entries, size);
    } finally {
      await file.close();
    }
  }

  /** The entry named `name` (ZIP names use `/`); case-insensitive match as a fallback, as NuGet treats names. */
  get(name: string): ZipEntry | undefined {
    const exact = this.entries.get(name);
    if (exact) return exact;
    const lower = name.toLowerCase();
    for (const [key, entry] of this.entries) if (key.toLowerCase() === lower) return entry;
    return undefined;
  }

  /** Writes the entry's bytes to `destination`, checking its size and CRC-32; a corrupt entry rejects with ZipReadError. */
  async extract(entry: ZipEntry, destination: string): Promise<void> {
    const file = await open(this.path, 'r');
    let dataStart: number;
    try {
      const header = await readAt(file, entry.localHeaderOffset, 30, this.size, this.path, `the local header of ${entry.name}`);
      if (header.readUInt32LE(0) !== LOCAL) throw new ZipReadError(`${this.path} is corrupt: no local header for ${entry.name} at offset ${entry.localHeaderOffset}`);
      dataStart = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    } finally {
      await file.close();
    }
    if (dataStart + entry.compressedSize > this.size) {
      throw new ZipReadError(`${this.path} is truncated: ${entry.name} needs bytes up to ${dataStart + entry.compressedSize}, the file has ${this.size}`);
    }
    if (entry.method !== 0 && entry.method !== 8) {
      throw new ZipReadError(`${this.path}: ${entry.name} uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
    }
    let crc = 0;
    let written = 0;
    const check = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        crc = crc32(chunk, crc);
        written += chunk.length;
        callback(null, chunk);
      },
    });
    const source =
      entry.compressedSize === 0
        ? [Buffer.alloc(0)]
        : createReadStream(this.path, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
    const stages: NodeJS.ReadWriteStream[] = entry.method === 8 ? [createInflateRaw(), check] : [check];
    try {
      await pipeline(source as NodeJS.ReadableStream, ...(stages as [NodeJS.ReadWriteStream]), createWriteStream(destination));
    } catch (error) {
      throw new ZipReadError(`${this.path} is corrupt: cannot inflate ${entry.name} (${(error as Error).message})`);
    }
    if (written !== entry.size) throw new ZipReadError(`${this.path} is corrupt: ${entry.name} inflated to ${written} bytes, the directory says ${entry.size}`);
    if (crc >>> 0 !== entry.crc32) {
      throw new ZipReadError(`${this.path} is corrupt: CRC-32 of ${entry.name} is ${hex(crc)}, the directory says ${hex(entry.crc32)}`);
    }
  }
}

async function readCentralDirectory(file: FileHandle, size: number, path: string): Promise<Map<string, ZipEntry>> {
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = await readAt(file, size - tailLength, tailLength, size, path, 'the end of the archive');
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd === -1) throw new ZipReadError(`${path} is not a ZIP archive (or is truncated): no end-of-central-directory record`);
  let count = tail.readUInt16LE(eocd + 10);
  let directorySize = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locatorAt = eocd - 20;
    if (locatorAt < 0 || tail.readUInt32LE(locatorAt) !== ZIP64_LOCATOR) throw new ZipReadError(`${path} is corrupt: ZIP64 fields without a ZIP64 locator`);
    const zip64At = Number(tail.readBigUInt64LE(locatorAt + 8));
    const zip64 = await readAt(file, zip64At, 56, size, path, 'the ZIP64 end record');
    if (zip64.readUInt32LE(0) !== ZIP64_EOCD) throw new ZipReadError(`${path} is corrupt: no ZIP64 end record at ${zip64At}`);
    count = Number(zip64.readBigUInt64LE(32));
    directorySize = Number(zip64.readBigUInt64LE(40));
    directoryOffset = Number(zip64.readBigUInt64LE(48));
  }
  const directory = await readAt(file, directoryOffset, directorySize, size, path, 'the central directory');
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL) {
      throw new ZipReadError(`${path} is corrupt: central directory entry ${i + 1} of ${count} is damaged`);
    }
    const flags = directory.readUInt16LE(at + 8);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const name = directory.toString(flags & 0x800 ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength);
    const entry: ZipEntry = {
      name,
      method: directory.readUInt16LE(at + 10),
      crc32: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    };
    if (flags & 0x1) throw new ZipReadError(`${path}: ${name} is encrypted`);
    // ZIP64 extended information (id 1): the 64-bit values of the fields that are 0xffffffff, in this order.
    const extraEnd = at + 46 + nameLength + extraLength;
    for (let e = at + 46 + nameLength; e + 4 <= extraEnd; ) {
      const id = directory.readUInt16LE(e);
      const length = directory.readUInt16LE(e + 2);
      if (id === 1) {
        let f = e + 4;
        const next = (): number => {
          const value = Number(directory.readBigUInt64LE(f));
          f += 8;
          return value;
        };
        if (entry.size === 0xffffffff) entry.size = next();
        if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
        if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      }
      e += 4 + length;
    }
    entries.set(name, entry);
    at = extraEnd + commentLength;
  }
  return entries;
}

async function readAt(file: FileHandle, position: number, length: number, size: number, path: string, what: string): Promise<Buffer> {
  if (position < 0 || position + length > size) {
    throw new ZipReadError(`${path} is truncated or corrupt: ${what} (bytes ${position}..${position + length}) lies beyond the file's ${size} bytes`);
  }
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new ZipReadError(`${path}: short read of ${what}`);
  return buffer;
}

function hex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
