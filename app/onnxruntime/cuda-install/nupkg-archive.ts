/**
 * Reads the CUDA provider libraries out of a .nupkg (a ZIP archive) with yauzl: lists the entries, streams one entry
 * to a file, and checks what yauzl leaves to its caller (the CRC-32 of the data, a size limit per entry).
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { OnnxRuntimeError } from '../onnxruntime-error.js';

/** An entry of the archive: its name (with `/`), its sizes and CRC-32 as the central directory states them. */
export interface NupkgEntry {
  name: string;
  size: number;
  compressedSize: number;
  crc32: number;
}

/**
 * No provider library comes near this (libonnxruntime_providers_cuda.so is a few hundred MB); an entry that claims
 * more is a damaged or hostile archive, refused before anything is written.
 */
export const MAX_ENTRY_BYTES = 4 * 1024 ** 3;

function invalid(path: string, problem: string, cause?: unknown): OnnxRuntimeError {
  return new OnnxRuntimeError('cuda-package-invalid', `${path}: ${problem}`, {}, cause === undefined ? undefined : { cause });
}

export class NupkgArchive {
  private constructor(
    readonly path: string,
    private readonly zip: yauzl.ZipFile,
    private readonly byName: ReadonlyMap<string, { entry: NupkgEntry; raw: yauzl.Entry }>,
  ) {}

  /** Reads the central directory of `path`. Rejects with `cuda-package-invalid` when it is not a readable ZIP archive. */
  static async open(path: string): Promise<NupkgArchive> {
    let zip: yauzl.ZipFile;
    try {
      // lazyEntries: list at our pace; strictFileNames: refuse `\` and absolute or `..` names outright.
      zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true });
    } catch (error) {
      throw invalid(path, `not a readable ZIP archive (${(error as Error).message})`, error);
    }
    try {
      const byName = new Map<string, { entry: NupkgEntry; raw: yauzl.Entry }>();
      for await (const raw of zip.eachEntry()) {
        if (raw.fileName.endsWith('/')) continue; // a folder
        byName.set(raw.fileName, { entry: { name: raw.fileName, size: raw.uncompressedSize, compressedSize: raw.compressedSize, crc32: raw.crc32 }, raw });
      }
      return new NupkgArchive(path, zip, byName);
    } catch (error) {
      zip.close();
      throw invalid(path, `the ZIP directory is damaged (${(error as Error).message})`, error);
    }
  }

  /** Entry names in archive order. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  /** The entry named `name` (ZIP names use `/`); a case-insensitive match as a fallback, as NuGet treats names. */
  get(name: string): NupkgEntry | undefined {
    const exact = this.byName.get(name);
    if (exact) return exact.entry;
    const lower = name.toLowerCase();
    for (const [key, value] of this.byName) if (key.toLowerCase() === lower) return value.entry;
    return undefined;
  }

  /**
   * Writes the entry's bytes to `destination`, checking its size (yauzl) and CRC-32 (here). A damaged entry rejects
   * with `cuda-package-invalid` and leaves no file at `destination`.
   */
  async extract(entry: NupkgEntry, destination: string): Promise<void> {
    const raw = this.byName.get(entry.name)?.raw;
    if (!raw) throw invalid(this.path, `has no entry ${entry.name}`);
    if (raw.isEncrypted()) throw invalid(this.path, `${entry.name} is encrypted`);
    if (!raw.canDecodeFileData()) throw invalid(this.path, `${entry.name} uses compression method ${raw.compressionMethod}; only stored and deflate are supported`);
    if (entry.size > MAX_ENTRY_BYTES) throw invalid(this.path, `${entry.name} claims ${entry.size} bytes, more than the ${MAX_ENTRY_BYTES} a provider library can be`);
    let crc = 0;
    const check = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        crc = crc32(chunk, crc);
        callback(null, chunk);
      },
    });
    try {
      const stream = await this.zip.openReadStreamPromise(raw);
      await pipeline(stream, check, createWriteStream(destination));
      if (crc >>> 0 !== entry.crc32) {
        throw invalid(this.path, `${entry.name} is corrupt: CRC-32 ${hex(crc)}, the directory says ${hex(entry.crc32)}`);
      }
    } catch (error) {
      await rm(destination, { force: true });
      if (error instanceof OnnxRuntimeError) throw error;
      throw invalid(this.path, `${entry.name} is corrupt or truncated (${(error as Error).message})`, error);
    }
  }

  /** Closes the file. */
  close(): void {
    this.zip.close();
  }
}

function hex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
