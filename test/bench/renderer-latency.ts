/**
 * Search latency as the user sees it, and the query encoding time of a real-sized model.
 *
 * 1. Keystroke to results painted on a 10,000-passage index with the tiny fixture model, in Debian's Chromium against
 *    serve mode: see test/e2e/latency-measure.ts (the e2e run reports the same measurement with fewer queries).
 * 2. Query encoding time of a bert-base-uncased-shaped SPLADE model (random weights, the real vocabulary) on this
 *    machine's CPU: one query at a time, as a search does — so the tiny model's figure can be turned into the real one.
 *
 * Prints JSON and a one-line summary; asserts nothing about speed.
 * Usage: node --import tsx test/bench/renderer-latency.ts [--passages 10000] [--queries 24] [--no-bert] [--json]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SparseEncoder } from '../../app/encoder/index.js';
import { browserMissing, tempDir } from '../e2e/e2e-harness.js';
import { QUERIES, median, percentile } from '../e2e/latency-corpus.js';
import { latencySummary, measureKeystrokeToPaint, type LatencyResult } from '../e2e/latency-measure.js';
import { writeRandomSpladeModel } from './random-splade-model.js';

const { values: args } = parseArgs({
  options: {
    passages: { type: 'string', default: '10000' },
    queries: { type: 'string', default: '24' },
    'no-bert': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const PASSAGES = Number(args.passages);

const work = await tempDir('splade-latency-');
const result: Record<string, unknown> = { passages: PASSAGES };
try {
  // ---------------------------------------------------------------- 1. keystroke -> results painted
  const missing = browserMissing();
  if (missing) {
    log(`skipping the page measurement: ${missing}`);
    result.page = { skipped: missing };
  } else {
    result.page = await measureKeystrokeToPaint({ workDir: work.path, passages: PASSAGES, queries: Number(args.queries), log });
  }

  // ---------------------------------------------------------------- 2. bert-base query encoding on the CPU
  if (!args['no-bert']) {
    log('writing a bert-base-shaped random SPLADE model and building its graph (a minute or two)');
    const folder = await writeRandomSpladeModel(join(work.path, 'bert-base'));
    const encoder = await SparseEncoder.load(folder, { device: 'cpu', cacheDir: join(work.path, 'onnx-bert') });
    try {
      const times: number[] = [];
      for (const [i, query] of ['warm up', 'warm up again', ...QUERIES].entries()) {
        const start = performance.now();
        await encoder.encodeQuery([query]);
        if (i >= 2) times.push(performance.now() - start);
      }
      result.bertBaseQueryEncodeMs = { median: median(times), p90: percentile(times, 90), max: Math.max(...times), provider: encoder.executionProvider.provider, precision: encoder.executionProvider.precision };
    } finally {
      await encoder.dispose();
    }
  }
} finally {
  await work.dispose();
}

const page = result.page as LatencyResult | { skipped: string } | undefined;
const bert = result.bertBaseQueryEncodeMs as { median: number; provider: string; precision: string } | undefined;
console.log(JSON.stringify(result, null, args.json ? 0 : 2));
console.log(`renderer-latency: ${page && 'samples' in page ? latencySummary(page) : `${PASSAGES} passages, page not measured`}; bert-base query encode on CPU median ${bert ? `${bert.median.toFixed(0)} ms (${bert.provider}, ${bert.precision})` : '—'}`);
