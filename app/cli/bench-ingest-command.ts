/** `splade-search bench-ingest`: how fast files become passages, and whether the pipeline keeps the encoder busy. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVICES, PRECISIONS, type Device, type PrecisionSetting } from '../encoder/index.js';
import { pickModelSource } from '../hub/index.js';
import { runPipelineBenchmark } from '../engine/bench/pipeline-benchmark.js';
import { choiceFlag, integerFlag, parseFlags } from './parse-flags.js';
import type { CliCommand } from './commands.js';

const usage = `usage: splade-search bench-ingest [--json] [--model M] [options]

Builds its own corpora in a temporary folder (ingest's generator: Markdown notes and PDFs) and measures, in one run:
ingest alone (scan + extract + split, no encoding) as Markdown files/s and PDF pages/s; the whole pipeline through
the engine (scan, extract, split, encode, index) in passages/s; and the encoder alone on the same passages. Prints one
JSON object with md_files_per_s, pdf_pages_per_s, end_to_end_passages_per_s, encoder_passages_per_s and
encoder_share (end to end / encoder alone; 1 = the encoder never waits for ingest).

  --model <path|id>   default: $SPLADE_MODEL, else the default model
  --device <d>        ${DEVICES.join('|')} (default cpu)
  --precision <p>     ${PRECISIONS.join('|')} (default auto)
  --batch-size N      encoder batch size
  --md-files N        Markdown notes for the ingest-alone phase (default 300)
  --pdf-files N       PDFs for the ingest-alone phase (default 10, of --pdf-pages pages, default 20)
  --e2e-files N       Markdown notes indexed end to end (default 60)
  --json              the JSON object only (else also a one-line summary)`;

export const benchIngestCommand: CliCommand = {
  usage,
  async run(args, io) {
    const values = parseFlags(args, {
      model: { type: 'string' },
      device: { type: 'string', default: 'cpu' },
      precision: { type: 'string', default: 'auto' },
      'batch-size': { type: 'string' },
      'md-files': { type: 'string' },
      'pdf-files': { type: 'string' },
      'pdf-pages': { type: 'string' },
      'e2e-files': { type: 'string' },
      json: { type: 'boolean', default: false },
    }, usage);
    const source = pickModelSource({ option: values.model, env: io.env });
    const model = source.kind === 'folder' ? source.path : source.id;
    const dir = await mkdtemp(join(tmpdir(), 'splade-bench-ingest-'));
    try {
      const batchSize = integerFlag(values['batch-size'], '--batch-size');
      const markdownFiles = integerFlag(values['md-files'], '--md-files');
      const pdfFiles = integerFlag(values['pdf-files'], '--pdf-files', 0);
      const pagesPerPdf = integerFlag(values['pdf-pages'], '--pdf-pages');
      const endToEndFiles = integerFlag(values['e2e-files'], '--e2e-files');
      const result = await runPipelineBenchmark({
        dir,
        model,
        device: choiceFlag<Device>(values.device, '--device', DEVICES),
        precision: choiceFlag<PrecisionSetting>(values.precision, '--precision', PRECISIONS),
        env: io.env,
        log: values.json ? undefined : (line) => io.stderr.write(line + '\n'),
        ...(batchSize ? { batchSize } : {}),
        ...(markdownFiles ? { markdownFiles } : {}),
        ...(pdfFiles !== undefined ? { pdfFiles } : {}),
        ...(pagesPerPdf ? { pagesPerPdf } : {}),
        ...(endToEndFiles ? { endToEndFiles } : {}),
      });
      io.stdout.write(JSON.stringify(result) + '\n');
      if (!values.json) {
        io.stderr.write(
          `ingest: ${result.md_files_per_s} md files/s, ${result.pdf_pages_per_s} pdf pages/s; end to end ${result.end_to_end_passages_per_s} passages/s, ` +
            `encoder alone ${result.encoder_passages_per_s} passages/s: encoder_share ${result.encoder_share}\n`,
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
