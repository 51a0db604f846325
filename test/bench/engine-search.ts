/**
 * `Engine.search` alone on the renderer-latency bench's 10,000-passage index (tiny fixture model, k = 50): the
 * engine's share of keystroke-to-paint, without HTTP or the page. Reports the engine's own timings (encode, search)
 * and the response size, per query and as medians. Terms per hit default to what the result list asks for; each round
 * after the first adds its number to the queries, so that no search reuses a cached query vector.
 *
 * Prints JSON and a one-line summary; asserts nothing about speed.
 * Usage: node --import tsx test/bench/engine-search.ts [--passages 10000] [--k 50] [--terms-per-hit 16] [--rounds 3] [--json]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../../app/engine/index.js';
import { FIXTURE_MODEL, seedIndex, tempDir } from '../e2e/e2e-harness.js';
import { LIBRARY_FOLDER, QUERIES, latencyLibrary, median, percentile } from '../e2e/latency-corpus.js';
import { LIST_TERMS_PER_HIT } from '../../renderer/src/lib/search-request.js';

const { values: args } = parseArgs({
  options: {
    passages: { type: 'string', default: '10000' },
    k: { type: 'string', default: '50' },
    'terms-per-hit': { type: 'string', default: String(LIST_TERMS_PER_HIT) },
    rounds: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const PASSAGES = Number(args.passages);
const K = Number(args.k);
const TERMS_PER_HIT = Number(args['terms-per-hit']);
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const work = await tempDir('splade-engine-search-');
try {
  const seedStart = performance.now();
  await seedIndex(join(work.path, 'data'), [LIBRARY_FOLDER], latencyLibrary(PASSAGES), join(work.path, 'onnx'));
  log(`seeded ${PASSAGES} passages in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
  const engine = await Engine.open({ dataDir: join(work.path, 'data'), model: FIXTURE_MODEL, onnxCacheDir: join(work.path, 'onnx'), env: {}, indexing: 'off' });
  try {
    for (const query of ['warm up', 'warming up the engine', 'one more warm up']) await engine.search({ query, k: K });
    const samples: { query: string; totalMs: number; encodeMs: number; searchMs: number; hits: number; responseBytes: number; termsPerHit: number }[] = [];
    for (let round = 0; round < Number(args.rounds); round++) {
      for (const base of QUERIES) {
        const query = round === 0 ? base : `${base} ${round}`;
        const start = performance.now();
        const response = await engine.search({ query, k: K, termsPerHit: TERMS_PER_HIT });
        const totalMs = performance.now() - start;
        const termsPerHit = response.hits.length ? response.hits.reduce((n, hit) => n + hit.terms.length, 0) / response.hits.length : 0;
        samples.push({ query, totalMs, encodeMs: response.timings.encodeMs, searchMs: response.timings.searchMs, hits: response.hits.length, responseBytes: JSON.stringify(response).length, termsPerHit });
      }
    }
    const total = samples.map((s) => s.totalMs);
    const result = {
      passages: PASSAGES,
      k: K,
      totalMs: { median: median(total), p90: percentile(total, 90), max: Math.max(...total) },
      encodeMs: { median: median(samples.map((s) => s.encodeMs)) },
      searchMs: { median: median(samples.map((s) => s.searchMs)) },
      responseBytes: { median: median(samples.map((s) => s.responseBytes)) },
      termsPerHit: { median: median(samples.map((s) => s.termsPerHit)) },
      samples: args.json ? samples : samples.slice(0, QUERIES.length),
    };
    console.log(JSON.stringify(result, null, args.json ? 0 : 2));
    console.log(`engine-search: ${PASSAGES} passages, k ${K}: Engine.search median ${result.totalMs.median.toFixed(1)} ms (p90 ${result.totalMs.p90.toFixed(1)}; encode ${result.encodeMs.median.toFixed(1)}, rank ${result.searchMs.median.toFixed(1)}), response ${(result.responseBytes.median / 1024).toFixed(0)} KiB, ${result.termsPerHit.median.toFixed(0)} terms per hit`);
  } finally {
    await engine.close();
  }
} finally {
  await work.dispose();
}
