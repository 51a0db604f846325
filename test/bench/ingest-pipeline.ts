/**
 * Does the ingest pipeline keep the encoder busy? Builds a bert-base-shaped random SPLADE model (the real model's
 * size and vocabulary, random weights) and runs `bench-ingest`'s measurement on the CPU: ingest alone (md files/s,
 * pdf pages/s), the engine end to end, and the encoder alone on the same passages. Prints JSON and a one-line summary.
 * Usage: node --import tsx test/bench/ingest-pipeline.ts [--e2e-files 40] [--md-files 300] [--pdf-files 10] [--pdf-pages 20] [--out FILE]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPipelineBenchmark } from '../../app/engine/bench/pipeline-benchmark.js';
import { writeRandomSpladeModel } from './random-splade-model.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const root = await mkdtemp(join(tmpdir(), 'bench-ingest-pipeline-'));
try {
  const model = await writeRandomSpladeModel(join(root, 'model'));
  const result = await runPipelineBenchmark({
    dir: join(root, 'run'),
    model,
    device: 'cpu',
    markdownFiles: flag('md-files', 300),
    pdfFiles: flag('pdf-files', 10),
    pagesPerPdf: flag('pdf-pages', 20),
    endToEndFiles: flag('e2e-files', 40),
    env: { ...process.env, SPLADE_CACHE_DIR: join(root, 'onnx') },
    log: (line) => console.error(line),
  });
  const json = JSON.stringify({ ...result, model: 'random bert-base-uncased-shaped SPLADE (test/bench/random-splade-model.ts)' }, null, 2);
  console.log(json);
  const out = process.argv.indexOf('--out');
  if (out >= 0) await writeFile(process.argv[out + 1]!, json + '\n');
  console.error(
    `bench-ingest (bert-base-shaped, cpu): ${result.md_files_per_s} md files/s, ${result.pdf_pages_per_s} pdf pages/s; ` +
      `end to end ${result.end_to_end_passages_per_s} passages/s vs encoder alone ${result.encoder_passages_per_s}: encoder_share ${result.encoder_share}`,
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
