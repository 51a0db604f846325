/**
 * Retrieval evaluation: the numbers of a sentence-transformers model card (SparseInformationRetrievalEvaluator,
 * SparseNanoBEIREvaluator) computed by the app's own encoder and index, from BEIR-format folders.
 *
 * ```ts
 * const encoder = await SparseEncoder.load('tomaarsen/splade-bert-base-uncased-gooaq-peft', { resolveModelSource });
 * const folders = await findDatasetFolders('/data/nanobeir');          // one BEIR folder, or a folder of them
 * const datasets = await Promise.all(folders.map((f) => loadBeirDataset(f, { split: 'train' })));
 * const report = await evaluateDatasets(encoder, datasets, { mode: 'exact' });
 * report.metrics['NanoBEIR_mean_dot_ndcg@10'];  report.datasets[0].indexMatchesBruteForce;
 * console.log(modelCardTable([...report.datasets, ...(report.mean ? [report.mean] : [])]));
 * ```
 *
 * Guarantees:
 * - The metric formulas, tie order (score descending, corpus id ascending), query filtering and NanoBEIR
 *   aggregation are the reference's (splade-reference.md (the project's shared reference notes) §8), down to NumPy's pairwise mean.
 * - Exact mode ranks by the float32 dot products of the full-precision vectors: the index proposes candidates, a
 *   certified bound decides when the list is final, and the result equals brute-force scoring (checked every run:
 *   `indexMatchesBruteForce`). Approximate mode is the index's approximate search, rescored; its NDCG loss is reported.
 * - Sparsity figures keep the reference's float32 steps; avg_flops may differ from torch in the last float32 bit.
 */
export { findDatasetFolders, loadBeirDataset, type BeirDataset, type LoadOptions } from './beir-dataset.js';
export { EvalError, isEvalError, type EvalErrorCode } from './eval-error.js';
export {
  evaluateDataset,
  evaluateDatasets,
  type DatasetResult,
  type EvalEncoder,
  type EvalProgress,
  type EvalReport,
  type EvaluateOptions,
  type Timing,
} from './evaluate.js';
export type { IndexRankingStats, RankingMode } from './index-ranking.js';
export {
  DEFAULT_CUTOFFS,
  averagePrecisionAtK,
  dcgAtK,
  ndcgAtK,
  rankingDepth,
  reciprocalRankAtK,
  relevantInTopK,
  retrievalMetrics,
  type MetricCutoffs,
} from './ir-metrics.js';
export { formatMetricValue, modelCardTable, type TableColumn } from './model-card-table.js';
export { NANOBEIR_DATASETS, NANOBEIR_MEAN, datasetName } from './nanobeir-names.js';
export { BruteForceRanker, TieOrder, exactScore } from './ranking.js';
export { SPARSITY_KEYS, aggregateSparsity, datasetSparsity, type SparsityStats } from './sparsity-stats.js';
