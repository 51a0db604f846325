/**
 * The index benchmark: builds an index of N SPLADE-like passages (seeded generator, streamed), reopens it in a
 * fresh process to time open and queries, and compares with a brute-force scan over an in-memory copy of the
 * quantized vectors (and of the float vectors, for the quantization's effect on ranking).
 */
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { SparseIndex, DEFAULT_APPROXIMATION, quantize, type ApproximationOptions } from '../index.js';
import { defaultCacheBytes } from '../sparse-index.js';
import { TopKHeap } from '../query/top-k-heap.js';
import { SpladeLikeGenerator } from './splade-like-generator.js';
import { spawnModule } from './spawn-module.js';
import type { QueryPhaseInput, QueryPhaseOutput } from './index-benchmark-queries.js';

export interface IndexBenchmarkOptions {
  passages: number;
  queries: number;
  seed?: number;
  /** Index directory (default: a temporary one, removed afterwards unless `keep`). */
  dir?: string;
  keep?: boolean;
  /** Cache budget of the query process (default: the index's own, `defaultCacheBytes()`). */
  cacheBytes?: number;
  /** Segments left after the build (default 1: a force-merge). */
  segments?: number;
  /** Queries also run by brute force (default min(queries, 20)). */
  bruteForceQueries?: number;
  passagesPerFile?: number;
  approximation?: ApproximationOptions;
  log?: (line: string) => void;
}

export interface IndexBenchmarkResult {
  passages: number;
  build_passages_per_s: number;
  /** Inverted index (block-max lists + term directory) bytes per posting, excluding the block forward index. */
  bytes_per_posting: number;
  open_ms: number;
  rss_mb: number;
  exact_p50_ms: number;
  exact_p99_ms: number;
  approx_p50_ms: number;
  approx_p99_ms: number;
  approx_recall_at_10: number;
  brute_force_p50_ms: number;
  [key: string]: unknown;
}

export async function runIndexBenchmark(options: IndexBenchmarkOptions): Promise<IndexBenchmarkResult> {
  const log = options.log ?? (() => {});
  const n = options.passages;
  const seed = options.seed ?? 1;
  const k = 10;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'splade-bench-index-'));
  const perFile = options.passagesPerFile ?? 10;
  const generator = new SpladeLikeGenerator({ seed });
  const approximation = { ...DEFAULT_APPROXIMATION, ...(options.approximation ?? {}) };
  try {
    // ---- build (index time only; generating vectors is timed apart)
    const index = SparseIndex.open(dir, { cacheBytes: 256 * 1024 * 1024 });
    const writer = index.openWriter({ autoMerge: false });
    const copy = new ForwardCopy(Math.ceil(n * 420));
    let indexMs = 0;
    let generateMs = 0;
    const pidToDoc = new Uint32Array(n + 1);
    let doc = 0;
    let sinceCommit = 0;
    for (let file = 0; doc < n; file++) {
      const count = Math.min(perFile, n - doc);
      let start = performance.now();
      const passages = [];
      for (let i = 0; i < count; i++) {
        const vector = generator.document(doc + i);
        copy.add(vector.indices, vector.values, index.scale);
        passages.push({ vector, charStart: i * 1000, charEnd: i * 1000 + 999 });
      }
      generateMs += performance.now() - start;
      start = performance.now();
      const { passageIds } = writer.upsertFile({ path: `/bench/${Math.floor(file / 1000)}/file-${file}.txt`, size: count * 1000, mtimeMs: file }, passages);
      sinceCommit += count;
      if (sinceCommit >= 100_000) {
        writer.commit();
        sinceCommit = 0;
      }
      indexMs += performance.now() - start;
      passageIds.forEach((pid, i) => {
        if (pid >= pidToDoc.length) throw new Error(`unexpected passage id ${pid} in a fresh index`);
        pidToDoc[pid] = doc + i;
      });
      doc += count;
      if (file % 20000 === 0) log(`built ${doc}/${n} passages (${(indexMs / 1000).toFixed(1)} s indexing, ${(generateMs / 1000).toFixed(1)} s generating)`);
    }
    let start = performance.now();
    writer.commit();
    const commitMs = performance.now() - start;
    start = performance.now();
    await writer.forceMerge(options.segments ?? 1);
    const mergeMs = performance.now() - start;
    indexMs += commitMs + mergeMs;
    const stats = index.stats();
    writer.close();
    index.close();
    log(`build done: ${(indexMs / 1000).toFixed(1)} s (merge ${(mergeMs / 1000).toFixed(1)} s), ${stats.segments.length} segment(s)`);

    // ---- query phase in a fresh process
    const input: QueryPhaseInput = { dir, passages: n, queries: options.queries, seed, k, cacheBytes: options.cacheBytes ?? defaultCacheBytes(), approximation };
    const phase = await runQueryPhase(input);
    log(`queries done: exact p50 ${percentile(phase.exactMs, 0.5).toFixed(2)} ms, approximate p50 ${percentile(phase.approxMs, 0.5).toFixed(2)} ms`);

    // ---- brute force over the in-memory copies, on a subset
    const bruteCount = Math.min(options.queries, options.bruteForceQueries ?? 20);
    const bruteMs: number[] = [];
    let exactMatches = 0;
    let floatOverlap = 0;
    const scale = index.scale;
    for (let j = 0; j < bruteCount; j++) {
      const query = generator.query(j, n).vector;
      const t = performance.now();
      const quantized = copy.topK(query, k, false);
      bruteMs.push(performance.now() - t);
      const expected = quantized.map((hit) => hit.score * scale);
      const got = phase.exact[j]!.scores;
      if (got.length === expected.length && got.every((score, r) => Math.abs(score - expected[r]!) <= 1e-9 * Math.max(1, expected[r]!))) exactMatches++;
      const float = new Set(copy.topK(query, k, true).map((hit) => hit.doc));
      floatOverlap += phase.exact[j]!.pids.filter((pid) => float.has(pidToDoc[pid]!)).length / k;
    }
    // Recall of approximate vs exact, tie-aware: a hit counts when its score reaches the exact k-th score.
    let recall = 0;
    phase.approx.forEach((approx, j) => {
      const exact = phase.exact[j]!;
      if (exact.scores.length === 0) {
        recall += 1;
        return;
      }
      const kth = exact.scores[exact.scores.length - 1]!;
      const found = approx.scores.filter((score) => score >= kth * (1 - 1e-9)).length;
      recall += Math.min(found, exact.scores.length) / exact.scores.length;
    });
    const sections = { blockmax: 0, termdir: 0, blocks: 0, other: 0 };
    for (const segment of stats.segments) {
      for (const [name, bytes] of Object.entries(segment.sections)) {
        if (name === 'blockmax' || name === 'termdir' || name === 'blocks') sections[name] += bytes;
        else sections.other += bytes;
      }
    }
    const postings = stats.postingCount;
    const catalogBytes = readdirSync(dir)
      .filter((f) => f.startsWith('catalog.sqlite'))
      .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    const exactP50 = percentile(phase.exactMs, 0.5);
    const bruteP50 = percentile(bruteMs, 0.5);
    const q = options.queries;
    return {
      passages: n,
      build_passages_per_s: round(n / (indexMs / 1000), 0),
      bytes_per_posting: round((sections.blockmax + sections.termdir) / postings, 3),
      open_ms: round(phase.openMs, 1),
      rss_mb: round(phase.rssMb, 0),
      exact_p50_ms: round(exactP50, 2),
      exact_p99_ms: round(percentile(phase.exactMs, 0.99), 2),
      approx_p50_ms: round(percentile(phase.approxMs, 0.5), 2),
      approx_p99_ms: round(percentile(phase.approxMs, 0.99), 2),
      approx_recall_at_10: round(recall / q, 4),
      brute_force_p50_ms: round(bruteP50, 1),
      exact_speedup_vs_brute_force: round(bruteP50 / exactP50, 1),
      exact_matches_brute_force: `${exactMatches}/${bruteCount}`,
      quantized_vs_float_recall_at_10: round(floatOverlap / bruteCount, 4),
      postings,
      avg_terms_per_passage: round(postings / n, 1),
      queries: q,
      avg_query_terms: round(phase.queryTerms / q, 1),
      approx_avg_query_terms: round(phase.approxQueryTerms / q, 1),
      exact_avg_blocks_scored: round(phase.exactBlocksScored / q, 1),
      approx_avg_blocks_scored: round(phase.approxBlocksScored / q, 1),
      blocks: round(phase.blocksTotal / q, 0),
      forward_bytes_per_posting: round(sections.blocks / postings, 3),
      total_bytes_per_posting: round(stats.segmentBytes / postings, 3),
      segment_bytes: stats.segmentBytes,
      catalog_bytes: catalogBytes,
      segments: stats.segments.length,
      build_seconds: round(indexMs / 1000, 1),
      merge_seconds: round(mergeMs / 1000, 1),
      generate_seconds: round(generateMs / 1000, 1),
      rss_after_open_mb: round(phase.rssAfterOpenMb, 0),
      cache_mb: round(phase.cacheMb, 0),
      approximation,
      machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${round(totalmem() / 1024 ** 3, 0)} GiB, Node ${process.version}`,
      date: new Date().toISOString(),
    };
  } finally {
    if (!options.keep && !options.dir) rmSync(dir, { recursive: true, force: true });
  }
}

function runQueryPhase(input: QueryPhaseInput): Promise<QueryPhaseOutput> {
  return new Promise((resolve, reject) => {
    const child = spawnModule(new URL('./index-benchmark-queries.js', import.meta.url), [JSON.stringify(input)]);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the benchmark's query process exited with code ${code}`));
      else resolve(JSON.parse(output) as QueryPhaseOutput);
    });
  });
}

/** The quantized (and float) vectors of all passages, for brute force. */
class ForwardCopy {
  docCount = 0;
  private size = 0;
  offsets = new Float64Array(1024);
  terms: Uint16Array;
  impacts: Uint8Array;
  floats: Float32Array;

  constructor(capacity: number) {
    this.terms = new Uint16Array(capacity);
    this.impacts = new Uint8Array(capacity);
    this.floats = new Float32Array(capacity);
  }

  add(indices: ArrayLike<number>, values: Float32Array, scale: number): void {
    const n = values.length;
    if (this.size + n > this.terms.length) {
      const capacity = Math.ceil((this.size + n) * 1.25);
      const grow = <T extends Uint16Array | Uint8Array | Float32Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(capacity);
        b.set(a);
        return b;
      };
      this.terms = grow(this.terms);
      this.impacts = grow(this.impacts);
      this.floats = grow(this.floats);
    }
    if (this.docCount + 2 > this.offsets.length) {
      const bigger = new Float64Array(this.offsets.length * 2);
      bigger.set(this.offsets);
      this.offsets = bigger;
    }
    for (let i = 0; i < n; i++) {
      this.terms[this.size + i] = indices[i]!;
      this.impacts[this.size + i] = quantize(values[i]!, scale);
      this.floats[this.size + i] = values[i]!;
    }
    this.size += n;
    this.offsets[++this.docCount] = this.size;
  }

  /** Brute-force top-k (score in impact units, or in weights with `float`). */
  topK(query: { indices: ArrayLike<number>; values: Float32Array }, k: number, float: boolean): { doc: number; score: number }[] {
    const dense = new Float64Array(65536);
    for (let i = 0; i < query.values.length; i++) dense[query.indices[i]!] = query.values[i]!;
    const heap = new TopKHeap(k);
    const { offsets, terms } = this;
    const weights = float ? this.floats : this.impacts;
    let threshold = 0;
    for (let doc = 0; doc < this.docCount; doc++) {
      let score = 0;
      for (let p = offsets[doc]!, end = offsets[doc + 1]!; p < end; p++) score += dense[terms[p]!]! * weights[p]!;
      if (score > threshold) threshold = heap.push(score, doc);
    }
    return heap.sorted().map(({ score, key }) => ({ doc: key, score }));
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
