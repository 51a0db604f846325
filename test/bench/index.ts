/**
 * Index benchmark: `node --import tsx test/bench/index.ts [--passages 100000,1000000] [--queries 200]`.
 * For each size: builds a synthetic SPLADE-like index, reopens it in a fresh process, times exact and approximate
 * top-10 searches, and compares with brute force (see app/index/bench/index-benchmark.ts). Prints one JSON
 * object (size → figures) and a one-line summary per size.
 */
import { parseArgs } from 'node:util';
import { runIndexBenchmark, type IndexBenchmarkResult } from '../../app/index/bench/index.js';

const { values } = parseArgs({
  options: {
    passages: { type: 'string', default: '100000,1000000' },
    queries: { type: 'string', default: '200' },
    'brute-force': { type: 'string', default: '20' },
  },
});
const sizes = values.passages.split(',').map(Number);
const results: Record<string, IndexBenchmarkResult> = {};
for (const passages of sizes) {
  results[passages] = await runIndexBenchmark({
    passages,
    queries: Number(values.queries),
    bruteForceQueries: Number(values['brute-force']),
    log: (line) => process.stderr.write(`[${passages}] ${line}\n`),
  });
}
console.log(JSON.stringify(results, null, 2));
for (const [passages, r] of Object.entries(results)) {
  console.log(
    `${passages} passages: build ${r.build_passages_per_s}/s, ${r.bytes_per_posting} B/posting (${String(r.total_bytes_per_posting)} total), open ${r.open_ms} ms, ` +
      `RSS ${r.rss_mb} MB, exact p50/p99 ${r.exact_p50_ms}/${r.exact_p99_ms} ms, approx p50/p99 ${r.approx_p50_ms}/${r.approx_p99_ms} ms ` +
      `recall@10 ${r.approx_recall_at_10}, brute force p50 ${r.brute_force_p50_ms} ms`,
  );
}
