/**
 * Search latency as the user sees it, and the query encoding time of a real-sized model.
 *
 * 1. Keystroke to results painted: a 10,000-passage index (synthetic passages from a pool of sentences, encoded by
 *    the tiny fixture model and inserted into the index directly), serve mode, the built renderer in Debian's
 *    Chromium. For each query the page records the time of the last keydown (performance.now()) and the search view
 *    records when the new results were painted (window.__spladeResultsPainted); the difference includes the
 *    search box's debounce (40 ms), the HTTP round trip, query encoding, search and React's render.
 * 2. Query encoding time of a bert-base-uncased-shaped SPLADE model (random weights, the real vocabulary) on this
 *    machine's CPU: one query at a time, as a search does — so the tiny model's figure can be turned into the real one.
 *
 * Prints JSON and a one-line summary; asserts nothing about speed.
 * Usage: node --import tsx test/bench/renderer-latency.ts [--passages 10000] [--queries 24] [--no-bert] [--json]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SparseEncoder } from '../../app/encoder/index.js';
import { browserMissing, ensureRendererBuilt, launchBrowser, openPage, seedIndex, startServe, tempDir, type SeedFile } from '../e2e/e2e-harness.js';
import { writeRandomSpladeModel } from './random-splade-model.js';
import { LIBRARY_FOLDER, QUERIES, latencyLibrary, median, percentile } from './latency-corpus.js';

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
    ensureRendererBuilt();
    const folder = LIBRARY_FOLDER;
    const files: SeedFile[] = latencyLibrary(PASSAGES);
    const seedStart = performance.now();
    await seedIndex(join(work.path, 'data'), [folder], files, join(work.path, 'onnx'));
    log(`seeded ${PASSAGES} passages in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    const serve = await startServe({ dataDir: join(work.path, 'data'), onnxCacheDir: join(work.path, 'onnx'), indexing: 'off' });
    const browser = await launchBrowser();
    try {
      const { page } = await openPage(browser, serve.server.url);
      const box = page.getByRole('searchbox', { name: 'Search' });
      await box.waitFor({ timeout: 60_000 });
      await page.evaluate(() => {
        const g = globalThis as any;
        g.addEventListener('keydown', () => (g.__lastKeyAt = g.performance.now()), true);
      });
      const samples: { query: string; keystrokeToPaintMs: number; answerToPaintMs: number; hits: number; encodeMs: number; searchMs: number }[] = [];
      const queries = QUERIES.slice(0, Number(args.queries));
      // One warm-up query (first-use costs: JIT, caches), not recorded.
      for (const [i, query] of ['warm up', ...queries].entries()) {
        await box.fill('');
        // Keys 10 ms apart (a fast typist's burst, inside the 40 ms debounce): one search per query.
        await box.pressSequentially(query, { delay: 10 });
        try {
          await page.locator(`html[data-results-for=${JSON.stringify(query)}]`).waitFor({ state: 'attached', timeout: 180_000 });
        } catch (error) {
          log(`no results painted for ${JSON.stringify(query)}; the page says: ${(await page.locator('main').innerText()).slice(0, 500)}`);
          throw error;
        }
        const { paintedAt, receivedAt, keyAt, hits, timings } = await page.evaluate(() => {
          const g = globalThis as any;
          const p = g.__spladeResultsPainted;
          return { paintedAt: p.at as number, receivedAt: p.receivedAt as number, keyAt: g.__lastKeyAt as number, hits: p.hits as number, timings: p.timings as { encodeMs: number; searchMs: number } };
        });
        if (i > 0) {
          samples.push({ query, keystrokeToPaintMs: paintedAt - keyAt, answerToPaintMs: paintedAt - receivedAt, hits, encodeMs: timings.encodeMs, searchMs: timings.searchMs });
        }
      }
      const total = samples.map((s) => s.keystrokeToPaintMs);
      result.page = {
        debounceMs: 40,
        keystrokeToPaintMs: { median: median(total), p90: percentile(total, 90), max: Math.max(...total) },
        answerToPaintMs: { median: median(samples.map((s) => s.answerToPaintMs)), max: Math.max(...samples.map((s) => s.answerToPaintMs)) },
        engineEncodeMs: { median: median(samples.map((s) => s.encodeMs)) },
        engineSearchMs: { median: median(samples.map((s) => s.searchMs)) },
        samples,
      };
    } finally {
      await browser.close();
      await serve.close();
    }
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

const page = result.page as { keystrokeToPaintMs?: { median: number; p90: number }; answerToPaintMs?: { median: number }; engineEncodeMs?: { median: number }; engineSearchMs?: { median: number } } | undefined;
const bert = result.bertBaseQueryEncodeMs as { median: number; provider: string; precision: string } | undefined;
console.log(JSON.stringify(result, null, args.json ? 0 : 2));
console.log(`renderer-latency: ${PASSAGES} passages, keystroke -> results painted median ${page?.keystrokeToPaintMs?.median.toFixed(0) ?? '—'} ms (p90 ${page?.keystrokeToPaintMs?.p90.toFixed(0) ?? '—'} ms, 40 ms of it debounce; engine: tiny-model encode ${page?.engineEncodeMs?.median.toFixed(1) ?? '—'} ms, search ${page?.engineSearchMs?.median.toFixed(0) ?? '—'} ms; answer -> painted ${page?.answerToPaintMs?.median.toFixed(0) ?? '—'} ms); bert-base query encode on CPU median ${bert ? `${bert.median.toFixed(0)} ms (${bert.provider}, ${bert.precision})` : '—'}`);
