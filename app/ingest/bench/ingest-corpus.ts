/**
 * A reproducible corpus for ingest benchmarks (test/bench/ingest-extract.ts and the CLI's bench-ingest): N
 * Markdown notes (~2.5 KB: a title, 3-6 headed sections of 2-4 paragraphs) and M PDFs of P pages (40 lines of
 * text per page, written by pdf-writer), in folders of 100 files. Seeded: the same options give the same bytes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSimplePdf } from './pdf-writer.js';

export interface IngestCorpusOptions {
  markdownFiles: number;
  pdfFiles: number;
  pagesPerPdf: number;
  seed?: number;
}

export interface IngestCorpus {
  /** Folder holding the notes (`md/NNN/note-N.md`). */
  markdownDir: string;
  /** Folder holding the PDFs (`pdf/NNN/doc-N.pdf`). */
  pdfDir: string;
  markdownFiles: number;
  pdfFiles: number;
  pdfPages: number;
  bytes: number;
}

const SYLLABLES = ['ka', 'lo', 'mer', 'sun', 'ti', 'ra', 'vel', 'no', 'stra', 'qui', 'den', 'pha', 'gor', 'li', 'um', 'sel', 'to', 'ban', 'cre', 'dox'];
const COMMON = ['the', 'of', 'and', 'to', 'in', 'is', 'that', 'for', 'with', 'as', 'on', 'by', 'from', 'star', 'cloud', 'light', 'energy', 'system', 'model', 'data'];

/** mulberry32: a tiny seeded PRNG. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function vocabulary(rand: () => number, size: number): string[] {
  const words: string[] = [];
  for (let i = 0; i < size; i++) {
    const n = 1 + Math.floor(rand() * 3);
    let w = '';
    for (let k = 0; k < n; k++) w += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
    words.push(w);
  }
  return words;
}

function sentence(rand: () => number, vocab: string[], words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(rand() < 0.45 ? COMMON[Math.floor(rand() * COMMON.length)]! : vocab[Math.floor(rand() * vocab.length)]!);
  const s = out.join(' ');
  return `${s[0]!.toUpperCase()}${s.slice(1)}.`;
}

function note(rand: () => number, vocab: string[], n: number): string {
  const parts = [`# Note ${n}: ${sentence(rand, vocab, 4).slice(0, -1)}`, ''];
  const sections = 3 + Math.floor(rand() * 4);
  for (let s = 0; s < sections; s++) {
    parts.push(`## ${sentence(rand, vocab, 3).slice(0, -1)}`, '');
    const paragraphs = 2 + Math.floor(rand() * 3);
    for (let p = 0; p < paragraphs; p++) {
      const sentences = 2 + Math.floor(rand() * 3);
      parts.push(Array.from({ length: sentences }, () => sentence(rand, vocab, 8 + Math.floor(rand() * 10))).join(' '), '');
    }
  }
  return parts.join('\n');
}

export async function writeIngestCorpus(dir: string, options: IngestCorpusOptions): Promise<IngestCorpus> {
  const rand = random(options.seed ?? 1);
  const vocab = vocabulary(rand, 3000);
  const markdownDir = join(dir, 'md');
  const pdfDir = join(dir, 'pdf');
  let bytes = 0;
  for (let i = 0; i < options.markdownFiles; i++) {
    const folder = join(markdownDir, String(Math.floor(i / 100)).padStart(3, '0'));
    if (i % 100 === 0) await mkdir(folder, { recursive: true });
    const text = note(rand, vocab, i);
    bytes += Buffer.byteLength(text);
    await writeFile(join(folder, `note-${i}.md`), text);
  }
  await mkdir(pdfDir, { recursive: true });
  for (let i = 0; i < options.pdfFiles; i++) {
    const folder = join(pdfDir, String(Math.floor(i / 100)).padStart(3, '0'));
    if (i % 100 === 0) await mkdir(folder, { recursive: true });
    const pages = Array.from({ length: options.pagesPerPdf }, () => {
      const lines: string[] = [];
      for (let l = 0; l < 40; l++) lines.push(sentence(rand, vocab, 9 + Math.floor(rand() * 4)));
      return lines;
    });
    const pdf = writeSimplePdf(pages);
    bytes += pdf.length;
    await writeFile(join(folder, `doc-${i}.pdf`), pdf);
  }
  return { markdownDir, pdfDir, markdownFiles: options.markdownFiles, pdfFiles: options.pdfFiles, pdfPages: options.pdfFiles * options.pagesPerPdf, bytes };
}
