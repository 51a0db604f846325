/**
 * Ingest benchmark: scan + extract (worker pool) + split (the real WordPiece tokenizer of the fixture, which has
 * bert-base-uncased's vocabulary), no encoding. Prints JSON and a one-line summary.
 * Usage: node --import tsx test/bench/ingest-extract.ts [--markdown 3000] [--pdfs 40] [--pages 50] [--workers N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BertTokenizer } from '../../app/encoder/tokenizer/index.js';
import { runIngestBenchmark } from '../../app/ingest/bench/ingest-benchmark.js';
import { tokenSpansFromTokenizer } from '../../app/ingest/token-spans.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const dir = await mkdtemp(join(tmpdir(), 'bench-ingest-'));
try {
  const tokenizer = await BertTokenizer.fromFolder(new URL('../fixtures/splade-tiny/base/', import.meta.url).pathname);
  const workers = process.argv.includes('--workers') ? flag('workers', 1) : undefined;
  const result = await runIngestBenchmark({
    dir,
    markdownFiles: flag('markdown', 3000),
    pdfFiles: flag('pdfs', 40),
    pagesPerPdf: flag('pages', 50),
    tokenize: tokenSpansFromTokenizer(tokenizer),
    ...(workers !== undefined ? { workers } : {}),
  });
  console.log(JSON.stringify(result, null, 2));
  console.log(
    `ingest: ${result.markdown.filesPerSecond} Markdown files/s (${result.markdown.passages} passages), ` +
      `${result.pdf.pagesPerSecond} PDF pages/s (${result.pdf.pages} pages, ${result.pdf.passages} passages), ` +
      `${result.workers} extractor worker(s), load ${result.loadAverage[0]}; per CPU-second: ` +
      `${result.markdown.filesPerCpuSecond} files, ${result.pdf.pagesPerCpuSecond} pages`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
