/**
 * Reads a ZIP container (DOCX, EPUB) safely before any converter inflates it: worker heap limits do not cap Buffer
 * memory, and a 1 MB bomb drove mammoth to 2.3 GB (reference §4). yauzl 3.4.0 lists the central directory
 * (declared sizes, no inflation); entries over the limits are refused; then the entries a converter will read
 * (XML, HTML, OPF) are inflated once with a byte cap and yauzl's check that the inflated size equals the declared
 * one, so declared sizes cannot lie about what the converter will later inflate from the same bytes.
 */
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { formatBytes } from '../ignore-rules.js';
import { IngestError } from '../ingest-error.js';

export interface ZipLimits {
  /** Most entries in the archive. */
  maxEntries: number;
  /** Most uncompressed bytes, all entries together, as declared. */
  maxTotalBytes: number;
  /** Most uncompressed bytes of the entries that are inflated (text parts), together. */
  maxTextBytes: number;
  /** Most compression ratio of any entry larger than `ratioFloorBytes`. */
  maxRatio: number;
  ratioFloorBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 20_000,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxTextBytes: 128 * 1024 * 1024,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
};

/** Parts a document converter reads as text, inflated and checked here. */
const TEXT_PART = /\.(?:xml|rels|xhtml|html?|opf|ncx)$/i;

export interface ZipContents {
  /** Every entry name, in directory order. */
  names: string[];
  /** Inflated bytes of the text parts for which `keep(name)` returned true. */
  kept: Map<string, Buffer>;
}

export async function inspectZip(
  bytes: Buffer,
  options: { limits?: ZipLimits; keep?: (name: string) => boolean } = {},
): Promise<ZipContents> {
  const limits = options.limits ?? DEFAULT_ZIP_LIMITS;
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (error, zipfile) =>
      error ? reject(corrupt(error)) : resolve(zipfile),
    ),
  );
  const entries: Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    let total = 0;
    zip.on('error', (error: Error) => reject(corrupt(error)));
    zip.on('end', () => resolve());
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      total += entry.uncompressedSize;
      const refusal =
        entries.length > limits.maxEntries ? `it holds more than ${limits.maxEntries} entries` :
        total > limits.maxTotalBytes ? `it declares more than ${mib(limits.maxTotalBytes)} of uncompressed data` :
        entry.uncompressedSize > limits.ratioFloorBytes && entry.uncompressedSize > limits.maxRatio * Math.max(1, entry.compressedSize)
          ? `${entry.fileName} inflates ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))}:1 to ${mib(entry.uncompressedSize)}`
          : null;
      if (refusal) {
        zip.close();
        reject(new IngestError('archive-bomb', `Refused as a possible zip bomb: ${refusal}.`));
        return;
      }
      zip.readEntry();
    });
    zip.readEntry();
  });
  const kept = new Map<string, Buffer>();
  let textBytes = 0;
  try {
    for (const entry of entries) {
      if (!TEXT_PART.test(entry.fileName) || entry.fileName.endsWith('/')) continue;
      textBytes += entry.uncompressedSize;
      if (textBytes > limits.maxTextBytes) {
        throw new IngestError('archive-bomb', `Refused as a possible zip bomb: its text parts declare more than ${mib(limits.maxTextBytes)}.`);
      }
      const data = await inflate(zip, entry);
      if (options.keep?.(entry.fileName)) kept.set(entry.fileName, data);
    }
  } finally {
    zip.close();
  }
  return { names: entries.map((e) => e.fileName), kept };
}

function inflate(zip: ZipFile, entry: Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) return reject(corrupt(error));
      const chunks: Buffer[] = [];
      let length = 0;
      stream.on('data', (chunk: Buffer) => {
        length += chunk.length;
        if (length > entry.uncompressedSize) {
          stream.destroy();
          reject(new IngestError('archive-bomb', `Refused: ${entry.fileName} inflates to more than the ${entry.uncompressedSize} bytes it declares.`));
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', (e: Error) =>
        reject(/too many bytes/i.test(e.message) ? new IngestError('archive-bomb', `Refused: ${entry.fileName} does not inflate to the size it declares (${e.message}).`, { cause: e }) : corrupt(e)),
      );
      stream.on('end', () => resolve(Buffer.concat(chunks, length)));
    });
  });
}

function corrupt(error: Error): IngestError {
  return new IngestError('archive-corrupt', `The file is not a readable ZIP container (${error.message}); re-save it from its application.`, { cause: error });
}

function mib(n: number): string {
  return formatBytes(n);
}
