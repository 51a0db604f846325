/**
 * The sparsity figures of `SparseInformationRetrievalEvaluator` and their NanoBEIR aggregation
 * (splade-reference.md (the project's shared reference notes) §8.1-8.2), with the reference's float32 steps kept:
 * - active dims = `torch.mean(nnz_per_row.float())`: a float32 mean; sparsity ratio = 1 − active dims / dims;
 * - queries are encoded in one call; the corpus in chunks of `CORPUS_CHUNK_SIZE`, whose figures are averaged
 *   weighted by chunk length (`Σ value·length / Σ length`, in Python floats);
 * - avg FLOPS = Σ_v (queries non-zero at v / queries) · (documents non-zero at v / documents), a float32 dot product
 *   (torch.dot's summation order is its BLAS's; ours sums in float64 and rounds once, so it can differ in the last
 *   float32 bit).
 * NanoBEIR: active dims and ratios are means weighted by each dataset's queries (or documents); avg FLOPS comes
 * from the count vectors summed over the datasets.
 */
import { pythonSum } from './reference-arithmetic.js';

/** The evaluator's `corpus_chunk_size`: the corpus is encoded, and its sparsity measured, in chunks this long. */
export const CORPUS_CHUNK_SIZE = 50000;

export interface SparseRows {
  /** Non-zero count of each vector. */
  readonly nnz: ArrayLike<number>;
  /** Term ids of each vector (for the count vector). */
  indicesOf(row: number): ArrayLike<number>;
  readonly length: number;
}

/** `SparseEncoder.sparsity` of rows [start, end): float32 mean non-zeros, and 1 − that / dims. */
export function chunkSparsity(nnz: ArrayLike<number>, start: number, end: number, dims: number): { activeDims: number; sparsityRatio: number } {
  const rows = end - start;
  if (rows <= 0 || dims === 0) return { activeDims: 0, sparsityRatio: 1 };
  let total = 0;
  for (let i = start; i < end; i++) total += nnz[i]!;
  // torch sums the float32 counts (exact below 2^24 in all) and divides in float32.
  const activeDims = Math.fround(Math.fround(total) / Math.fround(rows));
  return { activeDims, sparsityRatio: 1.0 - activeDims / dims };
}

/** How many vectors are non-zero at each dimension (`compute_count_vector`, summed over chunks). */
export function countVector(rows: SparseRows, dims: number): Int32Array {
  const counts = new Int32Array(dims);
  for (let r = 0; r < rows.length; r++) {
    const indices = rows.indicesOf(r);
    for (let i = 0; i < indices.length; i++) counts[indices[i]!]!++;
  }
  return counts;
}

/** `_calculate_avg_flops`: the float32 dot product of the two mean count vectors. */
export function averageFlops(queryCounts: Int32Array, queryRows: number, corpusCounts: Int32Array, corpusRows: number): number {
  if (queryRows === 0 || corpusRows === 0) return 0;
  const q = Math.fround(queryRows);
  const d = Math.fround(corpusRows);
  let sum = 0;
  for (let v = 0; v < queryCounts.length; v++) {
    const a = queryCounts[v]!;
    const b = corpusCounts[v]!;
    if (a !== 0 && b !== 0) sum += Math.fround(Math.fround(a) / q) * Math.fround(Math.fround(b) / d);
  }
  return Math.fround(sum);
}

export interface SparsityStats {
  query_active_dims: number;
  query_sparsity_ratio: number;
  corpus_active_dims: number;
  corpus_sparsity_ratio: number;
  avg_flops: number;
}

/** What a dataset contributes to the NanoBEIR aggregate. */
export interface DatasetSparsity {
  stats: SparsityStats;
  queryRows: number;
  corpusRows: number;
  queryCounts: Int32Array;
  corpusCounts: Int32Array;
}

/** The keys in the order the reference reports them. */
export const SPARSITY_KEYS = ['query_active_dims', 'query_sparsity_ratio', 'corpus_active_dims', 'corpus_sparsity_ratio', 'avg_flops'] as const;

/** One dataset's figures: queries as one chunk, the corpus in chunks of `chunkSize`, weighted by chunk length. */
export function datasetSparsity(queries: SparseRows, corpus: SparseRows, dims: number, chunkSize = CORPUS_CHUNK_SIZE): DatasetSparsity {
  const query = chunkSparsity(queries.nnz, 0, queries.length, dims);
  const values: { activeDims: number; sparsityRatio: number }[] = [];
  const lengths: number[] = [];
  for (let start = 0; start < corpus.length; start += chunkSize) {
    const end = Math.min(corpus.length, start + chunkSize);
    values.push(chunkSparsity(corpus.nnz, start, end, dims));
    lengths.push(end - start);
  }
  const weighted = (pick: (v: { activeDims: number; sparsityRatio: number }) => number) =>
    pythonSum(values.map((v, i) => pick(v) * lengths[i]!)) / pythonSum(lengths);
  const queryCounts = countVector(queries, dims);
  const corpusCounts = countVector(corpus, dims);
  return {
    stats: {
      // sum([value]) / len([value]) for the one query chunk.
      query_active_dims: pythonSum([query.activeDims]) / 1,
      query_sparsity_ratio: pythonSum([query.sparsityRatio]) / 1,
      corpus_active_dims: weighted((v) => v.activeDims),
      corpus_sparsity_ratio: weighted((v) => v.sparsityRatio),
      avg_flops: averageFlops(queryCounts, queries.length, corpusCounts, corpus.length),
    },
    queryRows: queries.length,
    corpusRows: corpus.length,
    queryCounts,
    corpusCounts,
  };
}

/** SparseNanoBEIREvaluator's figures over several datasets: weighted means, FLOPS from the summed counts. */
export function aggregateSparsity(datasets: readonly DatasetSparsity[]): SparsityStats {
  const queryRows = datasets.map((d) => d.queryRows);
  const corpusRows = datasets.map((d) => d.corpusRows);
  const weighted = (key: keyof SparsityStats, lengths: number[]) => pythonSum(datasets.map((d, i) => d.stats[key] * lengths[i]!)) / pythonSum(lengths);
  const dims = datasets[0]?.queryCounts.length ?? 0;
  const queryCounts = new Int32Array(dims);
  const corpusCounts = new Int32Array(dims);
  for (const d of datasets) {
    for (let v = 0; v < dims; v++) {
      queryCounts[v]! += d.queryCounts[v]!;
      corpusCounts[v]! += d.corpusCounts[v]!;
    }
  }
  return {
    query_active_dims: weighted('query_active_dims', queryRows),
    query_sparsity_ratio: weighted('query_sparsity_ratio', queryRows),
    corpus_active_dims: weighted('corpus_active_dims', corpusRows),
    corpus_sparsity_ratio: weighted('corpus_sparsity_ratio', corpusRows),
    avg_flops: averageFlops(queryCounts, pythonSum(queryRows), corpusCounts, pythonSum(corpusRows)),
  };
}
