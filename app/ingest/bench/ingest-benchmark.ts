/**
 * Ingest throughput without encoding: scan a folder (ignore rules, stat), extract every file in the extractor
 * pool's workers, split into passages — the three steps pipelined as the engine runs them. Reported separately for
 * Markdown (files/s) and PDF (pages/s). Two ways of splitting: on this thread with the given tokenize function
 * (`markdown`, `pdf`: `pool.extract` + `splitPassages`), and, given a tokenizer folder, inside the workers
 * (`workerSplit`: `pool.extractPassages`, once per pool size in `splitWorkers`). Each pool is started and warmed
 * (pdf.js and the tokenizer loaded) before timing: a one-off cost, reported as `poolWarmupSeconds`.
 * `mainThreadBusy` is this thread's event-loop utilization during a phase: what is left for the encoder.
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
  /** The model's tokenizer folder: also measure splitting inside the workers (`extractPassages`). */
  tokenizerFolder?: string;
  /** Pool sizes for the worker-split runs (default: the pool's default size). */
  splitWorkers?: number[];
}

export interface IngestPhaseResult {
  files: number;
  pages: number;
  passages: number;
  failed: number;
  seconds: number;
  filesPerSecond: number;
  pagesPerSecond: number;
  /** Milliseconds of this thread spent splitting (tokenizing included); 0 when the workers split. */
  splitMs: number;
  /** This thread's event-loop utilization during the phase (0..1): scanning, messages, splitting when it splits. */
  mainThreadBusy: number;
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
  /** Split on this thread. */
  markdown: IngestPhaseResult;
  pdf: IngestPhaseResult;
  /** Split in the workers, one entry per pool size (empty without `tokenizerFolder`). */
  workerSplit: Array<{ workers: number; poolWarmupSeconds: number; markdown: IngestPhaseResult; pdf: IngestPhaseResult }>;
}

export async function runIngestBenchmark(options: IngestBenchmarkOptions): Promise<IngestBenchmarkResult> {
  const t0 = performance.now();
  const corpus = await writeIngestCorpus(options.dir, options);
  const writeSeconds = (performance.now() - t0) / 1000;
  // Warm every worker: one PDF each loads pdf.js (and the tokenizer) outside the timed phases.
  const warm = corpus.pdfFiles > 0 ? `${corpus.pdfDir}/000/doc-0.pdf` : `${corpus.markdownDir}/000/note-0.md`;
  const workerSplit: IngestBenchmarkResult['workerSplit'] = [];
  const { tokenizerFolder } = options;
  if (tokenizerFolder !== undefined) {
    for (const size of options.splitWorkers ?? [0]) {
      const split = { ...options.split, tokenizerFolder };
      const pool = new ExtractorPool({ ...(size > 0 ? { size } : {}), split });
      try {
        const w0 = performance.now();
        await Promise.all(Array.from({ length: pool.size }, () => pool.extractPassages(warm)));
        const poolWarmupSeconds = round((performance.now() - w0) / 1000);
        const markdown = await phase(corpus.markdownDir, pool, options, 'worker');
        const pdf = await phase(corpus.pdfDir, pool, options, 'worker');
        workerSplit.push({ workers: pool.size, poolWarmupSeconds, markdown, pdf });
      } finally {
        await pool.close();
      }
    }
  }
  const pool = new ExtractorPool(options.workers !== undefined ? { size: options.workers } : {});
  try {
    const w0 = performance.now();
    await Promise.all(Array.from({ length: pool.size }, () => pool.extract(warm)));
    const poolWarmupSeconds = (performance.now() - w0) / 1000;
    const markdown = await phase(corpus.markdownDir, pool, options, 'main');
    const pdf = await phase(corpus.pdfDir, pool, options, 'main');
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
      workerSplit,
    };
  } finally {
    await pool.close();
  }
}

async function phase(dir: string, pool: ExtractorPool, options: IngestBenchmarkOptions, splitIn: 'main' | 'worker'): Promise<IngestPhaseResult> {
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const inFlight = new Set<Promise<void>>();
  const limit = pool.size * 8;
  let files = 0;
  let pages = 0;
  let passages = 0;
  let failed = 0;
  let splitMs = 0;
  for await (const entry of scanFolder(new FolderRules(dir))) {
    if (entry.kind !== 'file') continue;
    const extracted =
      splitIn === 'worker'
        ? pool.extractPassages(entry.path, { size: entry.size }).then((extraction) => {
            passages += extraction.passages.length;
            return extraction;
          })
        : pool.extract(entry.path, { size: entry.size }).then((extraction) => {
            const s0 = performance.now();
            passages += splitPassages(extraction.text, extraction.sections, options.tokenize, options.split).length;
            splitMs += performance.now() - s0;
            return extraction;
          });
    const job: Promise<void> = extracted.then(
      (extraction) => {
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
  const elu = performance.eventLoopUtilization(elu0);
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
    mainThreadBusy: Math.round(elu.utilization * 100) / 100,
    cpuSeconds: round(cpuSeconds),
    filesPerCpuSecond: Math.round(files / cpuSeconds),
    pagesPerCpuSecond: Math.round(pages / cpuSeconds),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
