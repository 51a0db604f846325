/**
 * The ingest pipeline's benchmark (`splade-search bench-ingest`): ingest alone (scan + extract + split, no
 * encoding) on ingest's generated corpus, then the whole pipeline through the Engine (scan, extract, split, encode,
 * index) on its Markdown notes, then the encoder alone on the very passages the pipeline produced, in the same run.
 * `encoder_share` = end-to-end passages/s ÷ encoder-alone passages/s: 1 means the pipeline keeps the encoder busy.
 */
import { cpus, loadavg, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SparseEncoder, defaultOnnxCacheDir, type Device, type PrecisionSetting } from '../../encoder/index.js';
import { createModelSourceResolver } from '../../hub/index.js';
import { runIngestBenchmark, tokenSpansFromTokenizer, writeIngestCorpus } from '../../ingest/index.js';
import { Engine } from '../engine.js';
import { loadSettings, saveSettings } from '../settings-store.js';

export interface PipelineBenchmarkOptions {
  /** Empty folder for the corpora and the data folder. */
  dir: string;
  model: string;
  device?: Device;
  precision?: PrecisionSetting;
  /** Encoder batch size (default: the encoder's). */
  batchSize?: number;
  markdownFiles?: number;
  pdfFiles?: number;
  pagesPerPdf?: number;
  /** Markdown notes indexed end to end (default 60; the encoder is the slow part). */
  endToEndFiles?: number;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface PipelineBenchmarkResult {
  md_files_per_s: number;
  pdf_pages_per_s: number;
  end_to_end_passages_per_s: number;
  encoder_passages_per_s: number;
  encoder_share: number;
  passages: number;
  end_to_end_seconds: number;
  encoder_seconds: number;
  model: string;
  provider: string;
  precision: string;
  node: string;
  cpu: string;
  cores: number;
  load_average: number[];
  ingest: unknown;
}

export async function runPipelineBenchmark(options: PipelineBenchmarkOptions): Promise<PipelineBenchmarkResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const cacheDir = defaultOnnxCacheDir(env);
  const resolveModelSource = createModelSourceResolver({ env });
  const encoderOptions = {
    device: options.device ?? 'cpu',
    ...(options.precision ? { precision: options.precision } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    cacheDir,
    resolveModelSource,
  };

  // 1. Ingest alone, with the model's tokenizer (what the engine splits with).
  log('ingest alone (scan + extract + split)...');
  const probe = await SparseEncoder.load(options.model, encoderOptions);
  const tokenize = tokenSpansFromTokenizer(probe.tokenizer);
  await probe.dispose();
  const ingest = await runIngestBenchmark({
    dir: join(options.dir, 'corpus'),
    tokenize,
    markdownFiles: options.markdownFiles ?? 300,
    pdfFiles: options.pdfFiles ?? 10,
    pagesPerPdf: options.pagesPerPdf ?? 20,
  });

  // 2. End to end through the Engine, on a subset of the notes; the model is loaded (and warm) before timing.
  const corpus = await writeIngestCorpus(join(options.dir, 'e2e'), { markdownFiles: options.endToEndFiles ?? 60, pdfFiles: 0, pagesPerPdf: 1 });
  log('end to end (scan + extract + split + encode + index)...');
  const dataDir = join(options.dir, 'data');
  saveSettings(dataDir, loadSettings(dataDir).settings, { model: options.model, device: options.device ?? 'cpu', ...(options.precision ? { precision: options.precision } : {}) });
  const engine = await Engine.open({
    dataDir,
    model: options.model,
    env,
    indexing: 'sync',
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
  let texts: string[] = [];
  let e2eSeconds: number;
  let provider = 'unknown';
  let precision = 'unknown';
  try {
    await engine.explain({ text: 'warm up the encoder' });
    const t0 = performance.now();
    await engine.addFolder({ path: corpus.markdownDir });
    await engine.whenIdle();
    e2eSeconds = (performance.now() - t0) / 1000;
    const status = await engine.status({});
    provider = status.encoder?.provider ?? provider;
    precision = status.encoder?.precision ?? precision;
    const files = await engine.listFiles({ status: 'indexed', limit: 10_000 });
    for (const file of files.files) texts = texts.concat((await engine.filePassages({ path: file.path })).passages.map((passage) => passage.text));
  } finally {
    await engine.close();
  }

  // 3. The encoder alone on the same passages.
  log(`encoder alone on the same ${texts.length} passages...`);
  const encoder = await SparseEncoder.load(options.model, encoderOptions);
  let encoderSeconds: number;
  try {
    await encoder.encodeDocument(['warm up the encoder']);
    const t0 = performance.now();
    await encoder.encodeDocument(texts);
    encoderSeconds = (performance.now() - t0) / 1000;
  } finally {
    await encoder.dispose();
  }
  const e2e = texts.length / e2eSeconds;
  const alone = texts.length / encoderSeconds;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    md_files_per_s: round(ingest.markdown.filesPerSecond),
    pdf_pages_per_s: round(ingest.pdf.pagesPerSecond),
    end_to_end_passages_per_s: round(e2e),
    encoder_passages_per_s: round(alone),
    encoder_share: round(e2e / alone),
    passages: texts.length,
    end_to_end_seconds: round(e2eSeconds),
    encoder_seconds: round(encoderSeconds),
    model: options.model,
    provider,
    precision,
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    load_average: loadavg().map((x) => Math.round(x * 100) / 100),
    ingest,
  };
}
