/**
 * One file → Extraction, in the calling thread: checks what the path is, reads it under the size cap, refuses
 * binary content under a text name, decodes text, and runs the extractor for its kind. Throws IngestError for
 * every bad input. The extractor pool runs this inside worker threads with time and memory budgets; call it
 * directly only for trusted, small inputs (tests, tools).
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { decodeText } from '../decode-text.js';
import { fileKindOf, isTextKind, looksBinary, type FileKind } from '../file-types.js';
import { formatBytes, DEFAULT_MAX_FILE_BYTES } from '../ignore-rules.js';
import { fsErrorToIngestError, IngestError } from '../ingest-error.js';
import { docxToText } from './docx-text.js';
import { epubToText } from './epub-text.js';
import { wholeText, type Extraction } from './extraction.js';
import { htmlToText } from './html-text.js';
import { markdownSections } from './markdown-sections.js';
import { pdfToText } from './pdf-text.js';
import type { ZipLimits } from './zip-guard.js';

export interface ExtractOptions {
  /** The kind to extract as; default from the file name. */
  kind?: FileKind;
  /** Refuse files larger than this ('too-large'); default 50 MiB. */
  maxFileBytes?: number;
  /** Refuse extracted text longer than this many UTF-16 units ('too-large'); default 32 Mi. */
  maxTextChars?: number;
  /** ZIP limits for DOCX/EPUB. */
  zipLimits?: ZipLimits;
  /** Called once a PDF's page count is known. */
  onPages?: (pages: number) => void;
  /**
   * Read the file with blocking calls (what the extractor workers do): a worker runs one job at a time, so blocking
   * costs it nothing, and a 4 KB file is read in ~35 µs instead of ~250-500 µs of thread-pool round trips (stat,
   * open, fstat, read, read, close) on a loaded 2-core machine. A read that hangs (a dead network drive) then stalls
   * the worker instead of a thread-pool thread; the pool's time budget replaces that worker either way.
   */
  syncRead?: boolean;
}

export const DEFAULT_MAX_TEXT_CHARS = 32 * 1024 * 1024;

export async function extractFile(path: string, options: ExtractOptions = {}): Promise<Extraction> {
  const kind = options.kind ?? fileKindOf(path);
  if (kind === null) throw new IngestError('unsupported-type', `${path} is not of a supported type.`);
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const { bytes, size, mtimeMs } = options.syncRead ? readCappedSync(path, maxBytes) : await readCapped(path, maxBytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const extraction = await extractBytes(bytes, kind, options);
  return { ...extraction, source: { size, mtimeMs, sha256 } };
}

/** Extraction from bytes already read (the worker gets paths, tests may pass bytes). */
export async function extractBytes(bytes: Buffer, kind: FileKind, options: ExtractOptions = {}): Promise<Extraction> {
  const maxText = options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
  const checkText = (e: Extraction): Extraction => {
    if (e.text.length > maxText) {
      throw new IngestError('too-large', `Its text (${e.text.length} characters) is longer than the cap of ${maxText}.`);
    }
    return e;
  };
  if (isTextKind(kind)) {
    if (looksBinary(bytes.subarray(0, 8000))) {
      throw new IngestError('binary', 'The content is binary (NUL or control bytes) although the name says text.');
    }
    const decoded = decodeText(bytes);
    const base = { type: kind, encoding: decoded.encoding, warnings: decoded.warnings };
    if (kind === 'markdown') return checkText({ ...base, text: decoded.text, sections: markdownSections(decoded.text) });
    if (kind === 'html') {
      const html = htmlToText(decoded.text);
      return checkText({ ...base, text: html.text, sections: html.sections });
    }
    return checkText({ ...base, text: decoded.text, sections: wholeText(decoded.text) });
  }
  if (kind === 'pdf') {
    if (bytes.length < 5 || bytes.subarray(0, 1024).indexOf('%PDF-') < 0) {
      throw new IngestError('pdf-corrupt', 'The file has no PDF header; it is damaged or not a PDF.');
    }
    const pdf = await pdfToText(bytes, { maxTextChars: maxText, ...(options.onPages ? { onPages: options.onPages } : {}) });
    return { text: pdf.text, type: 'pdf', sections: pdf.sections, pageCount: pdf.pageCount, warnings: [] };
  }
  if (kind === 'docx') {
    const doc = await docxToText(bytes, options.zipLimits);
    return checkText({ text: doc.text, type: 'docx', sections: doc.sections, warnings: doc.warnings });
  }
  const book = await epubToText(bytes, options.zipLimits);
  return checkText({ text: book.text, type: 'epub', sections: book.sections, warnings: [] });
}

/**
 * Reads a regular file whole, refusing anything else. Opened with O_NONBLOCK so a FIFO in place of a file cannot
 * block the reader; the type and size are checked on the open handle, so a swap between check and read is seen.
 */
async function readCapped(path: string, maxBytes: number): Promise<{ bytes: Buffer; size: number; mtimeMs: number }> {
  let handle;
  try {
    const before = await stat(path);
    if (!before.isFile()) throw notAFile(path, before.isDirectory());
    handle = await open(path, OPEN_FLAGS);
    const info = await handle.stat();
    const buffer = readBuffer(path, info, maxBytes);
    let length = 0;
    for (;;) {
      if (length === buffer.length) break;
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return readResult(buffer, length, info, maxBytes);
  } catch (error) {
    throw fsErrorToIngestError(error, path);
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** `readCapped` with blocking calls, step for step (see `ExtractOptions.syncRead`). */
function readCappedSync(path: string, maxBytes: number): { bytes: Buffer; size: number; mtimeMs: number } {
  let fd: number | undefined;
  try {
    const before = statSync(path);
    if (!before.isFile()) throw notAFile(path, before.isDirectory());
    fd = openSync(path, OPEN_FLAGS);
    const info = fstatSync(fd);
    const buffer = readBuffer(path, info, maxBytes);
    let length = 0;
    for (;;) {
      if (length === buffer.length) break;
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return readResult(buffer, length, info, maxBytes);
  } catch (error) {
    throw fsErrorToIngestError(error, path);
  } finally {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // nothing was written; a failed close loses nothing
      }
    }
  }
}

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Checks the open handle's stats and sizes the buffer: up to one byte past the cap, so a file that grew since stat is still refused, never read unbounded. */
function readBuffer(path: string, info: Stats, maxBytes: number): Buffer {
  if (!info.isFile()) throw notAFile(path, info.isDirectory());
  if (info.size > maxBytes) {
    throw new IngestError('too-large', `${formatBytes(info.size)} is over the size cap of ${formatBytes(maxBytes)}.`);
  }
  return Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(info.size, 0) + 65536));
}

function readResult(buffer: Buffer, length: number, info: Stats, maxBytes: number): { bytes: Buffer; size: number; mtimeMs: number } {
  if (length > maxBytes) throw new IngestError('too-large', `The file grew past the size cap of ${formatBytes(maxBytes)} while it was read.`);
  return { bytes: buffer.subarray(0, length), size: length, mtimeMs: info.mtimeMs };
}

function notAFile(path: string, isDirectory: boolean): IngestError {
  return isDirectory
    ? new IngestError('not-a-file', `${path} is a directory, not a file.`)
    : new IngestError('unreadable', `${path} is not a regular file (a pipe, socket or device) and cannot be read as a document.`);
}
