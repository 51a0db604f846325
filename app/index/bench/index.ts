/** Benchmark support: the seeded SPLADE-like data generator and the index benchmark the CLI and test/bench run. */
export { SpladeLikeGenerator, randomSparseVector, type SpladeLikeOptions, type GeneratedQuery } from './splade-like-generator.js';
export { runIndexBenchmark, type IndexBenchmarkOptions, type IndexBenchmarkResult } from './index-benchmark.js';
