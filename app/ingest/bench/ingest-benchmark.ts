/**
 * Ingest throughput without encoding: scan a folder (ignore rules, stat), extract every file in the extractor
 * pool's workers, split into passages on this thread with the given tokenize function — the three steps pipelined
 * as the engine runs them. Reported separately for Markdown (files/s) and PDF (pages/s). The pool is started and
 * warmed (pdf.js loaded) before timing: a one-off cost, reported as `poolWarmupSeconds`.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { ExtractorPool } from '../extractor-pool.js';
import { scanFolder } from '../folder-scanner.js';
import { FolderRules } from '../ignore-rules.js';
import { splitPassages, type SplitOptions } from '../passage-splitter.js';
import type { TokenizeFn } from '../token-spans.js';
import { writeIngestCorpus, type IngestCorpusOptions } from './ingest-corpus.js';

export interface IngestBenchmarkOptions extends IngestCorpusOptions {
  /** Empty folder to write the corpus into. */
  dir: string;
  tokenize: TokenizeFn;
  /** Extractor workers (default: the pool's default). */
  workers?: number;
  split?: SplitOptions;
}

export interface IngestPhaseResult {
  files: number;
  pages: number;
  passages: number;
  failed: number;
  seconds: number;
  filesPerSecond: number;
  pagesPerSecond: number;
  /** Milliseconds of this thread spent splitting (tokenizing included). */
  splitMs: number;
  /** CPU seconds of the whole process (all threads) during the phase, and the rates per CPU-second: robust when other work shares the cores. */
  cpuSeconds: number;
  filesPerCpuSecond: number;
  pagesPerCpuSecond: number;
}

export interface IngestBenchmarkResult {
  node: string;
  cpu: string;
  cores: number;
  loadAverage: number[];
  workers: number;
  corpus: { markdownFiles: number; pdfFiles: number; pdfPages: number; bytes: number; writeSeconds: number };
  poolWarmupSeconds: number;
  markdown: IngestPhaseResult;
  pdf: IngestPhaseResult;
}

export async function runIngestBenchmark(options: IngestBenchmarkOptions): Promise<IngestBenchmarkResult> {
  const t0 = performance.now();
  const corpus = await writeIngestCorpus(options.dir, options);
  const writeSeconds = (performance.now() - t0) / 1000;
  const pool = new ExtractorPool(options.workers !== undefined ? { size: options.workers } : {});
  try {
    const w0 = performance.now();
    // Warm every worker: one PDF each loads pdf.js outside the timed phases.
    const warm = corpus.pdfFiles > 0 ? `${corpus.pdfDir}/000/doc-0.pdf` : `${corpus.markdownDir}/000/note-0.md`;
    await Promise.all(Array.from({ length: pool.size }, () => pool.extract(warm)));
    const poolWarmupSeconds = (performance.now() - w0) / 1000;
    const markdown = await phase(corpus.markdownDir, pool, options);
    const pdf = await phase(corpus.pdfDir, pool, options);
    return {
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: availableParallelism(),
      loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
      workers: pool.size,
      corpus: { markdownFiles: corpus.markdownFiles, pdfFiles: corpus.pdfFiles, pdfPages: corpus.pdfPages, bytes: corpus.bytes, writeSeconds: round(writeSeconds) },
      poolWarmupSeconds: round(poolWarmupSeconds),
      markdown,
      pdf,
    };
  } finally {
    await pool.close();
  }
}

async function phase(dir: string, pool: ExtractorPool, options: IngestBenchmarkOptions): Promise<IngestPhaseResult> {
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const inFlight = new Set<Promise<void>>();
  const limit = pool.size * 8;
  let files = 0;
  let pages = 0;
  let passages = 0;
  let failed = 0;
  let splitMs = 0;
  for await (const entry of scanFolder(new FolderRules(dir))) {
    if (entry.kind !== 'file') continue;
    const job: Promise<void> = pool.extract(entry.path, { size: entry.size }).then(
      (extraction) => {
        const s0 = performance.now();
        passages += splitPassages(extraction.text, extraction.sections, options.tokenize, options.split).length;
        splitMs += performance.now() - s0;
        files++;
        pages += extraction.pageCount ?? 0;
      },
      () => {
        failed++;
      },
    ).finally(() => inFlight.delete(job));
    inFlight.add(job);
    if (inFlight.size >= limit) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    files,
    pages,
    passages,
    failed,
    seconds: round(seconds),
    filesPerSecond: Math.round(files / seconds),
    pagesPerSecond: Math.round(pages / seconds),
    splitMs: Math.round(splitMs),
    cpuSeconds: round(cpuSeconds),
    filesPerCpuSecond: Math.round(files / cpuSeconds),
    pagesPerCpuSecond: Math.round(pages / cpuSeconds),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
