/**
 * Ingest benchmark: scan + extract (worker pool) + split (the real WordPiece tokenizer of the fixture, which has
 * bert-base-uncased's vocabulary), no encoding. Splits on the main thread (`--workers N` extractors) and in the
 * workers (`extractPassages`, once per pool size in `--split-workers`, default 1,2). Prints JSON and one summary
 * line per way of splitting.
 * Usage: node --import tsx test/bench/ingest-extract.ts [--markdown 3000] [--pdfs 40] [--pages 50] [--workers N] [--split-workers 1,2]
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
  const tokenizerFolder = new URL('../fixtures/splade-tiny/base/', import.meta.url).pathname;
  const tokenizer = await BertTokenizer.fromFolder(tokenizerFolder);
  const workers = process.argv.includes('--workers') ? flag('workers', 1) : undefined;
  const splitAt = process.argv.indexOf('--split-workers');
  const splitWorkers = (splitAt >= 0 ? process.argv[splitAt + 1]! : '1,2').split(',').map(Number);
  const result = await runIngestBenchmark({
    dir,
    markdownFiles: flag('markdown', 3000),
    pdfFiles: flag('pdfs', 40),
    pagesPerPdf: flag('pages', 50),
    tokenize: tokenSpansFromTokenizer(tokenizer),
    tokenizerFolder,
    splitWorkers,
    ...(workers !== undefined ? { workers } : {}),
  });
  console.log(JSON.stringify(result, null, 2));
  console.log(
    `ingest, split on the main thread: ${result.markdown.filesPerSecond} Markdown files/s (${result.markdown.passages} passages), ` +
      `${result.pdf.pagesPerSecond} PDF pages/s (${result.pdf.pages} pages, ${result.pdf.passages} passages), ` +
      `${result.workers} extractor worker(s), load ${result.loadAverage[0]}; per CPU-second: ` +
      `${result.markdown.filesPerCpuSecond} files, ${result.pdf.pagesPerCpuSecond} pages; main thread busy ` +
      `${result.markdown.mainThreadBusy} / ${result.pdf.mainThreadBusy}`,
  );
  for (const run of result.workerSplit) {
    console.log(
      `ingest, split in ${run.workers} worker(s): ${run.markdown.filesPerSecond} Markdown files/s (${run.markdown.passages} passages), ` +
        `${run.pdf.pagesPerSecond} PDF pages/s (${run.pdf.passages} passages); per CPU-second: ` +
        `${run.markdown.filesPerCpuSecond} files, ${run.pdf.pagesPerCpuSecond} pages; main thread busy ` +
        `${run.markdown.mainThreadBusy} / ${run.pdf.mainThreadBusy}`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
