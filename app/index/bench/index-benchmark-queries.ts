/**
 * Query phase of the index benchmark, in its own process so that its open time and memory are the index's alone:
 * opens the index, warms up, times exact and approximate searches, prints one JSON object on stdout.
 */
import { SparseIndex, DEFAULT_APPROXIMATION, type ApproximationOptions } from '../index.js';
import { SpladeLikeGenerator } from './splade-like-generator.js';

export interface QueryPhaseInput {
  dir: string;
  passages: number;
  queries: number;
  seed: number;
  k: number;
  cacheBytes: number;
  approximation: ApproximationOptions;
}

export interface QueryPhaseOutput {
  openMs: number;
  rssAfterOpenMb: number;
  rssMb: number;
  cacheMb: number;
  exact: { pids: number[]; scores: number[] }[];
  approx: { pids: number[]; scores: number[] }[];
  exactMs: number[];
  approxMs: number[];
  exactBlocksScored: number;
  approxBlocksScored: number;
  blocksTotal: number;
  queryTerms: number;
  approxQueryTerms: number;
}

const input = JSON.parse(process.argv[2]!) as QueryPhaseInput;
const mb = (bytes: number) => bytes / (1024 * 1024);
const started = performance.now();
const index = SparseIndex.open(input.dir, { create: false, cacheBytes: input.cacheBytes });
const openMs = performance.now() - started;
const rssAfterOpenMb = mb(process.memoryUsage().rss);
const generator = new SpladeLikeGenerator({ seed: input.seed });
const queries = Array.from({ length: input.queries }, (_, j) => generator.query(j, input.passages).vector);
const approximation = { ...DEFAULT_APPROXIMATION, ...input.approximation };
// Warm-up: one pass of each mode (fills the cache, lets the JIT settle).
for (const query of queries) {
  index.search(query, { k: input.k });
  index.search(query, { k: input.k, mode: 'approximate', approximation });
}
const output: QueryPhaseOutput = {
  openMs,
  rssAfterOpenMb,
  rssMb: 0,
  cacheMb: 0,
  exact: [],
  approx: [],
  exactMs: [],
  approxMs: [],
  exactBlocksScored: 0,
  approxBlocksScored: 0,
  blocksTotal: 0,
  queryTerms: 0,
  approxQueryTerms: 0,
};
for (const query of queries) {
  let start = performance.now();
  const exact = index.search(query, { k: input.k, contributions: false });
  output.exactMs.push(performance.now() - start);
  start = performance.now();
  const approx = index.search(query, { k: input.k, mode: 'approximate', approximation, contributions: false });
  output.approxMs.push(performance.now() - start);
  output.exact.push({ pids: exact.hits.map((h) => h.passageId), scores: exact.hits.map((h) => h.score) });
  output.approx.push({ pids: approx.hits.map((h) => h.passageId), scores: approx.hits.map((h) => h.score) });
  output.exactBlocksScored += exact.stats.blocksScored;
  output.approxBlocksScored += approx.stats.blocksScored;
  output.blocksTotal += exact.stats.blocksTotal;
  output.queryTerms += exact.stats.queryTerms;
  output.approxQueryTerms += approx.stats.queryTermsUsed;
}
output.rssMb = mb(process.memoryUsage().rss);
output.cacheMb = mb(index.stats().cacheBytes);
index.close();
process.stdout.write(JSON.stringify(output) + '\n');
