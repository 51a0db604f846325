/**
 * PDF → text per page with pdf.js (pdfjs-dist 6.5.438, legacy build). Script evaluation is off by construction:
 * pdf.js 6 removed the `isEvalSupported` option together with its `new Function` glyph compiler (the CVE-2024-4367
 * path; no `new Function`/`eval` left in `legacy/build/*.mjs`, checked), and the version is past the fix of
 * GHSA-hq66-cqwq-w95j (6.2.108). No system fonts, no font faces, standard fonts and CMaps from the
 * package. Lines are rebuilt from text items by baseline (reference §3.1); a vertical gap of about two lines
 * becomes a blank line (a paragraph break for the splitter). Pages are joined by a blank line and each page is
 * one section, so passages never cross pages. pdf.js parses on the calling thread in Node ("fake worker"): run
 * this in the extractor pool's worker threads, never on the engine's thread.
 */
import './node20-polyfills.js';
import { fileURLToPath } from 'node:url';
import { IngestError } from '../ingest-error.js';
import type { Section } from './extraction.js';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

let loaded: Promise<{ pdfjs: PdfJs; fonts: string; cmaps: string }> | null = null;
let loadedDone = false;

export function isPdfJsLoaded(): boolean {
  return loadedDone;
}

/** Loads pdf.js once per thread, with its parser module pre-registered (so no worker file has to be found next to it). */
function loadPdfJs(): Promise<{ pdfjs: PdfJs; fonts: string; cmaps: string }> {
  loaded ??= (async () => {
    const mainUrl = import.meta.resolve('pdfjs-dist/legacy/build/pdf.mjs');
    const workerUrl = import.meta.resolve('pdfjs-dist/legacy/build/pdf.worker.mjs');
    const parser: unknown = await import(workerUrl);
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = parser;
    const pdfjs: PdfJs = await import(mainUrl);
    const root = new URL('../../', mainUrl);
    loadedDone = true;
    return {
      pdfjs,
      fonts: `${fileURLToPath(new URL('standard_fonts/', root))}`,
      cmaps: `${fileURLToPath(new URL('cmaps/', root))}`,
    };
  })();
  return loaded;
}

/** Loads pdf.js now, so that a PDF's time budget is not spent on module loading. */
export async function preloadPdfJs(): Promise<void> {
  await loadPdfJs();
}

export interface PdfText {
  text: string;
  sections: Section[];
  pageCount: number;
}

export interface PdfOptions {
  /** Called once the page count is known (the pool extends the time budget by it). */
  onPages?: (pages: number) => void;
  /** Stop with 'too-large' past this many characters of text. */
  maxTextChars?: number;
}

interface TextItemLike {
  str: string;
  transform: number[];
  width: number;
  height: number;
  hasEOL: boolean;
}

export async function pdfToText(bytes: Uint8Array, options: PdfOptions = {}): Promise<PdfText> {
  const { pdfjs, fonts, cmaps } = await loadPdfJs();
  const maxText = options.maxTextChars ?? Number.POSITIVE_INFINITY;
  // pdf.js detaches the buffer it is given and refuses Node Buffers: hand it a plain copy.
  const data = new Uint8Array(bytes.byteLength);
  data.set(bytes);
  const task = pdfjs.getDocument({
    data,
    useSystemFonts: false,
    disableFontFace: true,
    enableXfa: false,
    verbosity: 0,
    standardFontDataUrl: fonts,
    cMapUrl: cmaps,
    cMapPacked: true,
  });
  try {
    const doc = await task.promise.catch((error: unknown) => {
      throw classify(error);
    });
    options.onPages?.(doc.numPages);
    let text = '';
    const sections: Section[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n).catch((error: unknown) => { throw classify(error); });
      const content = await page.getTextContent().catch((error: unknown) => { throw classify(error); });
      const pageText = rebuildLines(content.items as unknown as Array<TextItemLike | { type: string }>);
      page.cleanup();
      if (pageText === '') continue;
      if (text.length > 0) text += '\n\n';
      sections.push({ start: text.length, end: text.length + pageText.length, page: n });
      text += pageText;
      if (text.length > maxText) {
        throw new IngestError('too-large', `The PDF's text is longer than ${maxText} characters (stopped at page ${n} of ${doc.numPages}).`);
      }
    }
    if (text.trim() === '' && doc.numPages > 0) {
      throw new IngestError('no-text', `The PDF has ${doc.numPages} page${doc.numPages === 1 ? '' : 's'} but no text layer (scanned images?); OCR is not supported.`);
    }
    return { text, sections, pageCount: doc.numPages };
  } finally {
    await task.destroy().catch(() => {});
  }
}

/** Items in content order → lines: a new line at hasEOL or a baseline change; a space where a horizontal gap is. */
function rebuildLines(items: Array<TextItemLike | { type: string }>): string {
  let out = '';
  let lastY: number | null = null;
  let lastXEnd = 0;
  let lastHeight = 0;
  let eol = false;
  for (const raw of items) {
    if (!('str' in raw)) continue;
    const item = raw;
    const x = item.transform[4] ?? 0;
    const y = item.transform[5] ?? 0;
    const h = item.height || Math.abs(item.transform[3] ?? 0) || lastHeight || 10;
    if (item.str === '') {
      if (item.hasEOL) eol = true;
      continue;
    }
    if (lastY !== null) {
      const dy = Math.abs(y - lastY);
      if (dy > 0.5 * Math.max(h, lastHeight)) {
        out = out.trimEnd() + (dy > 1.8 * Math.max(h, lastHeight) ? '\n\n' : '\n');
      } else if (eol) {
        out = `${out.trimEnd()}\n`;
      } else if (x - lastXEnd > 0.25 * h && !/\s$/.test(out) && !/^\s/.test(item.str)) {
        out += ' ';
      }
    }
    out += item.str;
    eol = item.hasEOL;
    lastY = y;
    lastXEnd = x + item.width;
    lastHeight = h;
  }
  return out.replace(/[ \t]+\n/g, '\n').trim();
}

function classify(error: unknown): unknown {
  if (error instanceof IngestError) return error;
  const name = (error as { name?: string } | null)?.name;
  const message = (error as { message?: string } | null)?.message ?? String(error);
  if (name === 'PasswordException') {
    return new IngestError('pdf-encrypted', 'The PDF is protected by a password; save an unprotected copy to index it.', { cause: error });
  }
  if (name === 'InvalidPDFException' || name === 'FormatError' || name === 'UnknownErrorException' || name === 'ResponseException') {
    return new IngestError('pdf-corrupt', `The PDF is damaged or not a PDF (${message}).`, { cause: error });
  }
  return new IngestError('pdf-corrupt', `The PDF could not be read (${message}).`, { cause: error });
}
