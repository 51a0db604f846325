/**
 * Search while ingest writes: `node --import tsx test/bench/index-steady.ts [--base 50000] [--seconds 30]
 * [--per-commit 500] [--interval-ms 1000] [--queries 50]`.
 * Builds a base index of `base` SPLADE-like passages (one segment), then a writer commits `per-commit` new passages
 * every `interval-ms` for `seconds` (merges running in their workers, as the policy says) while the same thread
 * searches between commits (exact and approximate top-10, one query after the other); then waits for the merges to
 * settle and runs the same queries again. Prints one JSON object and a one-line summary: search p50/p99 while
 * writing versus settled, and the segment counts searches saw.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { SparseIndex, type SparseVector } from '../../app/index/index.js';
import { SpladeLikeGenerator } from '../../app/index/bench/index.js';

const { values } = parseArgs({
  options: {
    base: { type: 'string', default: '50000' },
    seconds: { type: 'string', default: '30' },
    'per-commit': { type: 'string', default: '500' },
    'interval-ms': { type: 'string', default: '1000' },
    queries: { type: 'string', default: '50' },
  },
});
const base = Number(values.base);
const seconds = Number(values.seconds);
const perCommit = Number(values['per-commit']);
const intervalMs = Number(values['interval-ms']);
const queryCount = Number(values.queries);

const generator = new SpladeLikeGenerator({ seed: 1 });
const dir = mkdtempSync(join(tmpdir(), 'splade-bench-steady-'));
const passagesOf = (first: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ vector: generator.document(first + i), charStart: 0, charEnd: 1 }));

interface Phase {
  exact: number[];
  approx: number[];
  segments: number[];
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function summary(phase: Phase) {
  const exact = [...phase.exact].sort((a, b) => a - b);
  const approx = [...phase.approx].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    searches: exact.length,
    exact_p50_ms: round(percentile(exact, 0.5)),
    exact_p99_ms: round(percentile(exact, 0.99)),
    approx_p50_ms: round(percentile(approx, 0.5)),
    approx_p99_ms: round(percentile(approx, 0.99)),
    segments_max: Math.max(...phase.segments),
    segments_mean: round(phase.segments.reduce((a, b) => a + b, 0) / phase.segments.length),
  };
}

function searchOnce(index: SparseIndex, query: SparseVector, phase: Phase): void {
  let start = performance.now();
  const result = index.search(query, { k: 10, mode: 'exact' });
  phase.exact.push(performance.now() - start);
  start = performance.now();
  index.search(query, { k: 10, mode: 'approximate' });
  phase.approx.push(performance.now() - start);
  phase.segments.push(result.stats.segments);
}

try {
  const index = SparseIndex.open(dir);
  const writer = index.openWriter();
  const buildStart = performance.now();
  for (let first = 0; first < base; first += 10) writer.upsertFile({ path: `/base/${first}.txt` }, passagesOf(first, Math.min(10, base - first)));
  writer.commit();
  await writer.forceMerge(1);
  process.stderr.write(`base of ${base} passages built in ${((performance.now() - buildStart) / 1000).toFixed(1)} s\n`);
  const queries = Array.from({ length: queryCount }, (_, j) => generator.query(j, base).vector);
  for (const query of queries) index.search(query, { k: 10 }); // warm the cache

  const during: Phase = { exact: [], approx: [], segments: [] };
  let next = base;
  let commits = 0;
  let q = 0;
  const end = performance.now() + seconds * 1000;
  let nextCommit = performance.now();
  while (performance.now() < end) {
    if (performance.now() >= nextCommit) {
      for (let first = next; first < next + perCommit; first += 10) writer.upsertFile({ path: `/ingest/${first}.txt` }, passagesOf(first, 10));
      next += perCommit;
      writer.commit({ commits: ++commits });
      nextCommit += intervalMs;
    }
    searchOnce(index, queries[q++ % queries.length]!, during);
    await sleep(0); // let finished merges report back and be swapped in
  }
  const settleStart = performance.now();
  await writer.waitForMerges();
  const settleMs = performance.now() - settleStart;
  const after: Phase = { exact: [], approx: [], segments: [] };
  for (const query of queries) index.search(query, { k: 10 }); // same warm-up as before
  for (let round = 0; round < Math.max(1, Math.ceil(during.exact.length / queries.length)); round++) {
    for (const query of queries) searchOnce(index, query, after);
  }
  writer.close();
  index.close();

  const result = {
    base_passages: base,
    ingested_passages: next - base,
    commits,
    interval_ms: intervalMs,
    settle_ms: Math.round(settleMs),
    writing: summary(during),
    settled: summary(after),
  };
  console.log(JSON.stringify(result, null, 2));
  const w = result.writing;
  const s = result.settled;
  console.log(
    `${base}+${result.ingested_passages} passages, ${commits} commits every ${intervalMs} ms: search while writing exact p50 ${w.exact_p50_ms} ms / approx p50 ${w.approx_p50_ms} ms ` +
      `(segments max ${w.segments_max}, mean ${w.segments_mean}); settled exact p50 ${s.exact_p50_ms} ms / approx p50 ${s.approx_p50_ms} ms (${s.segments_max} segments, settled in ${result.settle_ms} ms)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
