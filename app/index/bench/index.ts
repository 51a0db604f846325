/**
 * Benchmark support, apart from the index's public surface (`../index.ts`): the seeded SPLADE-like data generator
 * (also the test data of the index's tests) and the index benchmark that `splade-search bench-index` and test/bench
 * run.
 */
export { SpladeLikeGenerator, randomSparseVector, type SpladeLikeOptions, type GeneratedQuery } from './splade-like-generator.js';
export { runIndexBenchmark, type IndexBenchmarkOptions, type IndexBenchmarkResult } from './index-benchmark.js';
