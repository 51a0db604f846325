/**
 * The evaluation run: encode each dataset's corpus and queries, rank through the app's index (exact: certified
 * candidates rescored at full precision; approximate: the index's approximate search, rescored), check the exact
 * lists against brute-force scoring, and compute the reference evaluator's metrics, per dataset and their mean.
 */
import type { SparseEncoder, SparseVector } from '../encoder/index.js';
import type { BeirDataset } from './beir-dataset.js';
import { EvalIndex, emptyIndexRankingStats, type IndexRankingStats, type RankingMode } from './index-ranking.js';
import { DEFAULT_CUTOFFS, rankingDepth, retrievalMetrics, type MetricCutoffs } from './ir-metrics.js';
import { NANOBEIR_MEAN } from './nanobeir-names.js';
import { BruteForceRanker, TieOrder } from './ranking.js';
import { numpyMean } from './reference-arithmetic.js';
import { aggregateSparsity, datasetSparsity, SPARSITY_KEYS, type DatasetSparsity, type SparseRows } from './sparsity-stats.js';

/** What the evaluation needs of an encoder (a `SparseEncoder`). */
export type EvalEncoder = Pick<SparseEncoder, 'encodeQuery' | 'encodeDocument' | 'dimensions'>;

export interface EvalProgress {
  dataset: string;
  phase: 'corpus' | 'queries';
  done: number;
  total: number;
}

export interface EvaluateOptions {
  cutoffs?: MetricCutoffs;
  /** Which ranking the reported metrics come from (default 'exact'); both are always run and compared. */
  mode?: RankingMode;
  /** Texts handed to the encoder per call: progress is reported between calls (default 256). */
  progressChunk?: number;
  onProgress?: (event: EvalProgress) => void;
}

export interface Timing {
  encodeCorpusSeconds: number;
  encodeQueriesSeconds: number;
  indexBuildSeconds: number;
  /** Ranking through the index in the reported mode. */
  retrieveSeconds: number;
  bruteForceSeconds: number;
  /** Ranking through the index in the other mode. */
  otherModeSeconds: number;
  metricsSeconds: number;
}

export interface DatasetResult {
  name: string;
  folder: string;
  split: string;
  documents: number;
  queries: number;
  skipped: BeirDataset['skipped'];
  /** `dot_accuracy@1` ... `dot_map@100`, then the sparsity figures, in the reference's order. */
  metrics: Record<string, number>;
  /** Exact and approximate NDCG at the largest NDCG cut-off, and the approximate mode's loss (exact − approximate). */
  ndcg: { key: string; exact: number; approximate: number; loss: number };
  /** Whether ranking through the index (exact mode) gave the brute-force lists, document for document and score for score. */
  indexMatchesBruteForce: boolean;
  /** Queries whose index lists differed from brute force (0 when `indexMatchesBruteForce`). */
  differingQueries: number;
  index: { exact: IndexRankingStats; approximate: IndexRankingStats };
  timing: Timing;
  /** @internal for the NanoBEIR aggregate */
  sparsity: DatasetSparsity;
}

export interface EvalReport {
  mode: RankingMode;
  datasets: DatasetResult[];
  /** The mean over datasets (`NanoBEIR_mean` when all are NanoBEIR sets, else `mean`); absent for one dataset. */
  mean?: { name: string; metrics: Record<string, number>; ndcg: { key: string; exact: number; approximate: number; loss: number } };
  /** Every figure under the reference's full key: `NanoMSMARCO_dot_ndcg@10`, `NanoBEIR_mean_dot_ndcg@10`, ... */
  metrics: Record<string, number>;
  /** Sums over datasets. */
  timing: Timing;
}

function rowsOf(vectors: readonly SparseVector[]): SparseRows {
  return { nnz: vectors.map((v) => v.indices.length), indicesOf: (r) => vectors[r]!.indices, length: vectors.length };
}

/** Encodes longest first in chunks (at most two in flight, so the encoder never waits), reporting progress. */
async function encodeWithProgress(
  encode: (texts: string[]) => Promise<SparseVector[]>,
  texts: readonly string[],
  chunk: number,
  report: (done: number) => void,
): Promise<SparseVector[]> {
  const order = texts.map((_, i) => i).sort((a, b) => texts[b]!.length - texts[a]!.length || a - b);
  const out = new Array<SparseVector>(texts.length);
  let done = 0;
  report(0);
  const runChunk = async (start: number) => {
    const positions = order.slice(start, start + chunk);
    const vectors = await encode(positions.map((p) => texts[p]!));
    positions.forEach((p, i) => (out[p] = vectors[i]!));
    done += positions.length;
    report(done);
  };
  let pending: Promise<void> | undefined;
  for (let start = 0; start < order.length; start += chunk) {
    const current = runChunk(start);
    if (pending) await pending;
    pending = current;
  }
  if (pending) await pending;
  return out;
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

function sameLists(a: { docs: number[]; scores: number[] }, b: { docs: number[]; scores: number[] }): boolean {
  return a.docs.length === b.docs.length && a.docs.every((d, i) => d === b.docs[i] && a.scores[i] === b.scores[i]);
}

/** Evaluates one dataset. */
export async function evaluateDataset(encoder: EvalEncoder, dataset: BeirDataset, options: EvaluateOptions = {}): Promise<DatasetResult> {
  const cutoffs = options.cutoffs ?? DEFAULT_CUTOFFS;
  const mode = options.mode ?? 'exact';
  const chunk = options.progressChunk ?? 256;
  const depth = rankingDepth(cutoffs);
  const progress = (phase: EvalProgress['phase'], total: number) => (done: number) => options.onProgress?.({ dataset: dataset.name, phase, done, total });

  let start = process.hrtime.bigint();
  const docs = await encodeWithProgress((t) => encoder.encodeDocument(t), dataset.corpusTexts, chunk, progress('corpus', dataset.corpusTexts.length));
  const encodeCorpusSeconds = seconds(start);
  start = process.hrtime.bigint();
  const queries = await encodeWithProgress((t) => encoder.encodeQuery(t), dataset.queryTexts, chunk, progress('queries', dataset.queryTexts.length));
  const encodeQueriesSeconds = seconds(start);

  const dims = encoder.dimensions;
  const sparsity = datasetSparsity(rowsOf(queries), rowsOf(docs), dims);
  const order = new TieOrder(dataset.corpusIds);

  start = process.hrtime.bigint();
  const bruteForce = new BruteForceRanker(docs, dims, order);
  const exhaustive = queries.map((q) => bruteForce.rank(q, depth));
  const bruteForceSeconds = seconds(start);

  start = process.hrtime.bigint();
  const index = await EvalIndex.build(docs, dims);
  const indexBuildSeconds = seconds(start);
  const stats = { exact: emptyIndexRankingStats(), approximate: emptyIndexRankingStats() };
  const lists: Record<RankingMode, { docs: number[]; scores: number[] }[]> = { exact: [], approximate: [] };
  const took: Record<RankingMode, number> = { exact: 0, approximate: 0 };
  try {
    for (const m of ['exact', 'approximate'] as const) {
      start = process.hrtime.bigint();
      lists[m] = queries.map((q) => index.rank(q, depth, m, order, bruteForce, stats[m]));
      took[m] = seconds(start);
    }
  } finally {
    await index.close();
  }

  start = process.hrtime.bigint();
  const differingQueries = lists.exact.filter((list, q) => !sameLists(list, exhaustive[q]!)).length;
  const idsOf = (list: { docs: number[] }) => list.docs.map((d) => dataset.corpusIds[d]!);
  const exactMetrics = retrievalMetrics(lists.exact.map(idsOf), dataset.relevant, cutoffs);
  const approximateMetrics = retrievalMetrics(lists.approximate.map(idsOf), dataset.relevant, cutoffs);
  const metricsSeconds = seconds(start);
  const ndcgKey = `dot_ndcg@${Math.max(...cutoffs.ndcgAtK)}`;
  const chosen = mode === 'exact' ? exactMetrics : approximateMetrics;
  const metrics: Record<string, number> = { ...chosen };
  for (const key of SPARSITY_KEYS) metrics[key] = sparsity.stats[key];
  return {
    name: dataset.name,
    folder: dataset.folder,
    split: dataset.split,
    documents: docs.length,
    queries: queries.length,
    skipped: dataset.skipped,
    metrics,
    ndcg: { key: ndcgKey, exact: exactMetrics[ndcgKey]!, approximate: approximateMetrics[ndcgKey]!, loss: exactMetrics[ndcgKey]! - approximateMetrics[ndcgKey]! },
    indexMatchesBruteForce: differingQueries === 0,
    differingQueries,
    index: stats,
    timing: {
      encodeCorpusSeconds,
      encodeQueriesSeconds,
      indexBuildSeconds,
      retrieveSeconds: took[mode],
      bruteForceSeconds,
      otherModeSeconds: took[mode === 'exact' ? 'approximate' : 'exact'],
      metricsSeconds,
    },
    sparsity,
  };
}

/** Evaluates each dataset in turn and, for several, their mean as SparseNanoBEIREvaluator forms it. */
export async function evaluateDatasets(encoder: EvalEncoder, datasets: readonly BeirDataset[], options: EvaluateOptions = {}): Promise<EvalReport> {
  const results: DatasetResult[] = [];
  for (const dataset of datasets) results.push(await evaluateDataset(encoder, dataset, options));
  const flat: Record<string, number> = {};
  for (const result of results) for (const [key, value] of Object.entries(result.metrics)) flat[`${result.name}_${key}`] = value;
  const timing = Object.fromEntries(
    (Object.keys(results[0]?.timing ?? {}) as (keyof Timing)[]).map((key) => [key, results.reduce((sum, r) => sum + r.timing[key], 0)]),
  ) as unknown as Timing;
  const report: EvalReport = { mode: options.mode ?? 'exact', datasets: results, metrics: flat, timing };
  if (results.length > 1) {
    const name = datasets.every((d) => d.nanoBeir) ? NANOBEIR_MEAN : 'mean';
    const metrics: Record<string, number> = {};
    // Retrieval metrics: the unweighted mean (np.mean); sparsity figures: weighted, FLOPS from summed counts.
    for (const key of Object.keys(results[0]!.metrics)) metrics[key] = numpyMean(results.map((r) => r.metrics[key]!));
    Object.assign(metrics, aggregateSparsity(results.map((r) => r.sparsity)));
    const exact = numpyMean(results.map((r) => r.ndcg.exact));
    const approximate = numpyMean(results.map((r) => r.ndcg.approximate));
    report.mean = { name, metrics, ndcg: { key: results[0]!.ndcg.key, exact, approximate, loss: exact - approximate } };
    for (const [key, value] of Object.entries(metrics)) flat[`${name}_${key}`] = value;
  }
  return report;
}
