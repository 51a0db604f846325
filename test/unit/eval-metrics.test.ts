import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  averagePrecisionAtK,
  datasetSparsity,
  aggregateSparsity,
  dcgAtK,
  formatMetricValue,
  modelCardTable,
  ndcgAtK,
  reciprocalRankAtK,
  retrievalMetrics,
} from '../../app/eval/index.js';
import { compareCodePoints, numpyMean, pythonFloatRepr, pythonRound, pythonSum } from '../../app/eval/reference-arithmetic.js';

const close = (a: number, b: number, label: string) => assert.ok(Math.abs(a - b) < 1e-15, `${label}: ${a} vs ${b}`);

describe('eval metrics: the reference formulas on hand-computed cases', () => {
  it('one query: fewer hits than k, a relevant id absent from the corpus, binary relevance', () => {
    // Hits a b c d; relevant b, d and x (x is in the qrels but not in the corpus).
    const hits = ['a', 'b', 'c', 'd'];
    const relevant = new Set(['b', 'd', 'x']);
    const m = retrievalMetrics([hits], [relevant]);
    assert.deepEqual(
      Object.keys(m),
      ['dot_accuracy@1', 'dot_accuracy@3', 'dot_accuracy@5', 'dot_accuracy@10', 'dot_precision@1', 'dot_precision@3', 'dot_precision@5', 'dot_precision@10', 'dot_recall@1', 'dot_recall@3', 'dot_recall@5', 'dot_recall@10', 'dot_ndcg@10', 'dot_mrr@10', 'dot_map@100'],
    );
    assert.deepEqual([m['dot_accuracy@1'], m['dot_accuracy@3'], m['dot_accuracy@5'], m['dot_accuracy@10']], [0, 1, 1, 1]);
    // precision@k always divides by k, even with only 4 hits.
    assert.deepEqual([m['dot_precision@1'], m['dot_precision@3'], m['dot_precision@5'], m['dot_precision@10']], [0, 1 / 3, 2 / 5, 2 / 10]);
    // recall divides by |R| = 3, including the id missing from the corpus.
    assert.deepEqual([m['dot_recall@1'], m['dot_recall@3'], m['dot_recall@5'], m['dot_recall@10']], [0, 1 / 3, 2 / 3, 2 / 3]);
    assert.equal(m['dot_mrr@10'], 1 / 2);
    close(m['dot_ndcg@10']!, (1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3) + 1 / 2), 'ndcg');
    // MAP@100: (1/2 + 2/4) / min(100, 3).
    assert.equal(m['dot_map@100'], (1 / 2 + 2 / 4) / 3);
  });

  it('cut-offs: MRR ignores a first relevant hit beyond k; MAP divides by min(k, |R|); NDCG caps the ideal at k', () => {
    const hits = Array.from({ length: 12 }, (_, i) => `h${i}`);
    assert.equal(reciprocalRankAtK(hits, new Set(['h10']), 10), 0);
    assert.equal(reciprocalRankAtK(hits, new Set(['h9']), 10), 1 / 10);
    const many = new Set(hits);
    assert.equal(averagePrecisionAtK(hits, many, 5), 1);
    assert.equal(ndcgAtK(hits, many, 10), 1);
    assert.equal(dcgAtK([1, 0, 1], 2), 1);
    assert.equal(dcgAtK([0, 1], 10), 1 / Math.log2(3));
  });

  it('several queries: accuracy and MRR are sums over the queries; the rest are means; a query without relevant documents is refused', () => {
    const m = retrievalMetrics(
      [
        ['a', 'b'],
        ['c', 'a'],
        ['b', 'c'],
      ],
      [new Set(['a']), new Set(['a']), new Set(['z'])],
      { accuracyAtK: [1, 2], precisionRecallAtK: [2], mrrAtK: [10], ndcgAtK: [2], mapAtK: [2] },
    );
    assert.equal(m['dot_accuracy@1'], 1 / 3);
    assert.equal(m['dot_accuracy@2'], 2 / 3);
    assert.equal(m['dot_mrr@10'], (1 + 1 / 2) / 3);
    assert.equal(m['dot_precision@2'], numpyMean([1 / 2, 1 / 2, 0]));
    assert.equal(m['dot_map@2'], numpyMean([1, 1 / 2, 0]));
    assert.throws(() => retrievalMetrics([['a']], [new Set()]), /query 0 has no relevant documents/);
  });

  it('means are NumPy pairwise sums, not left-to-right ones', () => {
    const values = [1e16, 1, -1e16, 1, 0, 0, 0, 0, 1];
    // Pairwise: ((1e16 + 1) + (-1e16 + 1)) + ... = 0, then + 1; left to right: 1e16 + 1 - 1e16 + 1 + 1 = 2.
    assert.equal(numpyMean(values), 1 / 9);
    assert.equal(pythonSum(values) / 9, 2 / 9);
    // np.mean (NumPy 2.4.6) of [1/(i+1) + i*1e-3 for i in range(n)], printed with repr; left-to-right sums differ.
    for (const [n, numpy, sequential] of [
      [9, 0.3183298059964727, 0.31832980599647276],
      [129, 0.10617751186491217, 0.10617751186491216],
      [1000, 0.5069854708605503, 0.5069854708605506],
    ] as const) {
      const values = Array.from({ length: n }, (_, i) => 1 / (i + 1) + i * 1e-3);
      assert.equal(numpyMean(values), numpy, `n=${n}`);
      assert.equal(pythonSum(values) / n, sequential);
    }
  });

  it("Python's round (half-even on the exact binary value), repr and string order", () => {
    assert.equal(pythonRound(0.40625, 4), 0.4062);
    assert.equal(pythonRound(0.40635, 4), 0.4063); // 0.406349999... in binary
    assert.equal(pythonRound(2.675, 2), 2.67);
    assert.equal(pythonRound(0.55905, 4), 0.5591);
    assert.equal(pythonRound(1568.27272727, 4), 1568.2727);
    assert.deepEqual([1, 0, 0.38, 5e-5, 1e16, 56.42].map(pythonFloatRepr), ['1.0', '0.0', '0.38', '5e-05', '1e+16', '56.42']);
    assert.deepEqual([0.40625, 1, 0.1666666, 0.9981515].map(formatMetricValue), ['0.4062', '1.0', '0.1667', '0.9982']);
    assert.deepEqual(['b', 'a\u{1F600}', 'a\uFF01', 'B'].sort(compareCodePoints), ['B', 'a\uFF01', 'a\u{1F600}', 'b']);
  });
});

describe('eval sparsity figures', () => {
  const rows = (vectors: number[][]) => ({ nnz: vectors.map((v) => v.length), indicesOf: (r: number) => vectors[r]!, length: vectors.length });

  it('active dims are float32 means; ratios against the dimension count; FLOPS from the count vectors', () => {
    const queries = rows([[0, 1], [1]]);
    const corpus = rows([[0], [1, 2], [1, 2, 3]]);
    const { stats } = datasetSparsity(queries, corpus, 10);
    assert.equal(stats.query_active_dims, 1.5);
    assert.equal(stats.query_sparsity_ratio, 1 - 1.5 / 10);
    assert.equal(stats.corpus_active_dims, Math.fround(2));
    // P(q0) P(d0) + P(q1) P(d1) = 1/2 * 1/3 + 1 * 2/3.
    assert.equal(stats.avg_flops, Math.fround(Math.fround(0.5) * Math.fround(1 / 3) + Math.fround(2 / 3)));
    // 1/3 is not a float32: active dims keep torch's float32 rounding.
    assert.equal(datasetSparsity(rows([[0]]), rows([[0], [0], [0, 1]]), 10).stats.corpus_active_dims, (Math.fround(4 / 3) * 3) / 3);
  });

  it('the corpus is measured in chunks weighted by length; NanoBEIR weights datasets by queries and documents', () => {
    const corpus = rows([[0], [0, 1], [0, 1, 2]]);
    const chunked = datasetSparsity(rows([[0]]), corpus, 10, 2).stats;
    assert.equal(chunked.corpus_active_dims, (Math.fround(1.5) * 2 + 3 * 1) / 3);
    const a = datasetSparsity(rows([[0], [0, 1]]), rows([[0]]), 4);
    const b = datasetSparsity(rows([[2, 3]]), rows([[1], [2, 3], [3]]), 4);
    const mean = aggregateSparsity([a, b]);
    assert.equal(mean.query_active_dims, (1.5 * 2 + 2 * 1) / 3);
    assert.equal(mean.corpus_active_dims, (1 * 1 + Math.fround(4 / 3) * 3) / 4);
    // Summed counts: queries non-zero at 0: 2, at 1: 1, at 2: 1, at 3: 1 of 3; documents at 0: 1, 1: 1, 2: 1, 3: 2 of 4.
    const f = Math.fround;
    assert.equal(mean.avg_flops, f(f(f(2) / 3) * f(1 / 4) + f(f(1) / 3) * f(1 / 4) + f(f(1) / 3) * f(1 / 4) + f(f(1) / 3) * f(2 / 4)));
  });
});

describe('eval model card table', () => {
  it('prints metric rows and dataset columns as sentence-transformers model cards do', () => {
    const metrics = { 'dot_accuracy@1': 0.38, 'dot_ndcg@10': 0.55914, query_active_dims: 56.42000198364258 };
    const table = modelCardTable([
      { name: 'NanoMSMARCO', metrics },
      { name: 'NanoBEIR_mean', metrics: { ...metrics, 'dot_accuracy@1': 1 } },
    ]);
    assert.equal(
      table,
      [
        '| Metric            | NanoMSMARCO | NanoBEIR_mean |',
        '|:------------------|:------------|:--------------|',
        '| dot_accuracy@1    | 0.38        | 1.0           |',
        '| **dot_ndcg@10**   | **0.5591**  | **0.5591**    |',
        '| query_active_dims | 56.42       | 56.42         |',
        '',
      ].join('\n'),
    );
  });
});
