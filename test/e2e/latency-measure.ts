/**
 * Keystroke to results painted, as the user sees it: a 10,000-passage index (the synthetic library of
 * latency-corpus.ts, encoded by the tiny fixture model and inserted into the index directly), serve mode, the built
 * renderer in Debian's Chromium. Each query is typed into an emptied, idle search box as a burst (keys sent 10 ms
 * apart; what arrives is 15-30 ms apart); the page records the last keydown's own time stamp, and the search view records
 * when the frame showing the new result rows has been painted (`window.__spladeResultsPainted`). The difference
 * holds the search box's debounce, the HTTP round trip, query encoding, the engine's search, JSON and React's render.
 *
 * Used by the e2e run (test/e2e/renderer-latency.test.ts, which reports it) and by test/bench/renderer-latency.ts.
 */
import { join } from 'node:path';
import { SEARCH_DEBOUNCE_MS } from '../../renderer/src/lib/search-request.js';
import { ensureRendererBuilt, launchBrowser, openPage, seedIndex, startServe } from './e2e-harness.js';
import { LIBRARY_FOLDER, QUERIES, latencyLibrary, median, percentile } from './latency-corpus.js';

/** Quiet time before each query (see its use). */
const IDLE_MS = 400;

export interface LatencySample {
  query: string;
  keystrokeToPaintMs: number;
  answerToPaintMs: number;
  hits: number;
  encodeMs: number;
  searchMs: number;
  /** The longest gap between two keys of the query as the page received them (a gap past the debounce searches early). */
  longestKeyGapMs: number;
}

export interface LatencyResult {
  passages: number;
  debounceMs: number;
  seedSeconds: number;
  keystrokeToPaintMs: { median: number; p90: number; max: number };
  answerToPaintMs: { median: number; max: number };
  engineEncodeMs: { median: number };
  engineSearchMs: { median: number };
  samples: LatencySample[];
}

export async function measureKeystrokeToPaint(options: { workDir: string; passages: number; queries: number; log?: (message: string) => void }): Promise<LatencyResult> {
  const log = options.log ?? (() => {});
  ensureRendererBuilt();
  const seedStart = performance.now();
  await seedIndex(join(options.workDir, 'data'), [LIBRARY_FOLDER], latencyLibrary(options.passages), join(options.workDir, 'onnx'));
  const seedSeconds = (performance.now() - seedStart) / 1000;
  log(`seeded ${options.passages} passages in ${seedSeconds.toFixed(1)} s`);
  const serve = await startServe({ dataDir: join(options.workDir, 'data'), onnxCacheDir: join(options.workDir, 'onnx'), indexing: 'off' });
  const browser = await launchBrowser();
  try {
    const { page } = await openPage(browser, serve.server.url);
    const box = page.getByRole('searchbox', { name: 'Search' });
    await box.waitFor({ timeout: 60_000 });
    await page.evaluate(() => {
      const g = globalThis as any;
      // The event's own time stamp (when the browser received the key, on the performance.now() clock), not the time
      // the page got round to handling it: a key that waits behind a busy page counts from when it was pressed.
      g.addEventListener('keydown', (event: { timeStamp: number }) => g.__keys.push(event.timeStamp), true);
    });
    const samples: LatencySample[] = [];
    // Warm-up queries, not recorded: the first loads the vectors into memory (1-3 s), and the scan loop reaches its
    // optimized code only after a few runs (the first measured query was 20-40 ms slower in the engine with one).
    const warmUp = ['warm up', 'warming up the engine', 'one more warm up'];
    for (const [i, query] of [...warmUp, ...QUERIES.slice(0, options.queries)].entries()) {
      // An idle page, as when someone has read the last results and types anew: the detail of the last answer has
      // been fetched and drawn (a quarter second after it settles) and the emptied box has searched nothing.
      await page.waitForTimeout(IDLE_MS);
      await box.fill('');
      await page.waitForTimeout(IDLE_MS);
      await page.evaluate(() => ((globalThis as any).__keys = []));
      await box.pressSequentially(query, { delay: 10 });
      try {
        await page.locator(`html[data-results-for=${JSON.stringify(query)}]`).waitFor({ state: 'attached', timeout: 180_000 });
      } catch (error) {
        log(`no results painted for ${JSON.stringify(query)}; the page says: ${(await page.locator('main').innerText()).slice(0, 500)}`);
        throw error;
      }
      const seen = await page.evaluate(() => {
        const g = globalThis as any;
        const p = g.__spladeResultsPainted;
        return { paintedAt: p.at as number, receivedAt: p.receivedAt as number, keys: g.__keys as number[], hits: p.hits as number, timings: p.timings as { encodeMs: number; searchMs: number } };
      });
      const gaps = seen.keys.slice(1).map((at, k) => at - seen.keys[k]!);
      if (i >= warmUp.length) {
        samples.push({
          query,
          keystrokeToPaintMs: seen.paintedAt - seen.keys[seen.keys.length - 1]!,
          answerToPaintMs: seen.paintedAt - seen.receivedAt,
          hits: seen.hits,
          encodeMs: seen.timings.encodeMs,
          searchMs: seen.timings.searchMs,
          longestKeyGapMs: Math.max(0, ...gaps),
        });
      }
    }
    const total = samples.map((s) => s.keystrokeToPaintMs);
    return {
      passages: options.passages,
      debounceMs: SEARCH_DEBOUNCE_MS,
      seedSeconds,
      keystrokeToPaintMs: { median: median(total), p90: percentile(total, 90), max: Math.max(...total) },
      answerToPaintMs: { median: median(samples.map((s) => s.answerToPaintMs)), max: Math.max(...samples.map((s) => s.answerToPaintMs)) },
      engineEncodeMs: { median: median(samples.map((s) => s.encodeMs)) },
      engineSearchMs: { median: median(samples.map((s) => s.searchMs)) },
      samples,
    };
  } finally {
    await browser.close();
    await serve.close();
    await serve.engine.close();
  }
}

/** One line for a report. */
export function latencySummary(result: LatencyResult): string {
  return `${result.passages} passages, keystroke -> results painted median ${result.keystrokeToPaintMs.median.toFixed(0)} ms (p90 ${result.keystrokeToPaintMs.p90.toFixed(0)}, max ${result.keystrokeToPaintMs.max.toFixed(0)}; ${result.debounceMs} ms of it debounce; engine: encode ${result.engineEncodeMs.median.toFixed(1)} ms, search ${result.engineSearchMs.median.toFixed(0)} ms; answer -> painted ${result.answerToPaintMs.median.toFixed(0)} ms)`;
}
