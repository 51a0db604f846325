import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SparseEncoder } from '../../app/encoder/index.js';
import {
  DEFAULT_CUTOFFS,
  datasetSparsity,
  evaluateDataset,
  findDatasetFolders,
  loadBeirDataset,
  retrievalMetrics,
  SPARSITY_KEYS,
  TieOrder,
} from '../../app/eval/index.js';
import { writeBeirFolder, type BeirFixture } from '../helpers/beir-fixture.js';
import { runCliCaptured } from '../helpers/run-cli.js';
import { FIXTURE, FIXTURE_V6, readExpected, tempFolder, type Expected } from '../helpers/encoder-helpers.js';

/** The fixture texts as a BEIR dataset: ids d0..d11 (string order differs from corpus order), graded qrels. */
function fixtureDataset(expected: Expected): BeirFixture {
  return {
    corpus: expected.texts.map((text, i) => ({ _id: `d${i}`, text })),
    queries: [...expected.queries.map((text, i) => ({ _id: `q${i}`, text })), { _id: 'q-unjudged', text: 'a query without qrels' }],
    qrels: [
      ['q0', 'd1', 2],
      ['q0', 'd0', 1],
      ['q0', 'd5', 0],
      ['q1', 'd2', 1],
      ['q1', 'd-not-in-corpus', 1],
      ['q2', 'd7', 1],
      ['q3', 'd3', 1],
      ['q3', 'd11', 2],
      ['q3', 'd4', 1],
    ],
  };
}

/** The reference's rankings from expected.json's similarity matrix: score descending, ties by id, all documents. */
function referenceRankings(expected: Expected, ids: string[], keep: number[], depth: number): string[][] {
  const order = new TieOrder(ids);
  return expected.queries.map((_, q) => {
    const docs = keep.map((_, i) => i);
    const score = (i: number) => Math.fround(expected.similarity[q]![keep[i]!]!);
    docs.sort((a, b) => score(b) - score(a) || order.rankOf[a]! - order.rankOf[b]!);
    return docs.slice(0, depth).map((i) => ids[i]!);
  });
}

describe('eval end to end on the fixture model', () => {
  let expected: Expected;
  let cache: Awaited<ReturnType<typeof tempFolder>>;
  let data: Awaited<ReturnType<typeof tempFolder>>;
  let encoder: SparseEncoder;
  before(async () => {
    expected = await readExpected();
    cache = await tempFolder('splade-eval-cache-');
    data = await tempFolder('splade-eval-data-');
    encoder = await SparseEncoder.load(FIXTURE_V6, { device: 'cpu', cacheDir: cache.path });
  });
  after(async () => {
    await encoder.dispose();
    await cache.dispose();
    await data.dispose();
  });

  it("gives exactly the metrics computed from the reference similarity matrix with the reference's formulas", async () => {
    const folder = await writeBeirFolder(join(data.path, 'fixture'), fixtureDataset(expected));
    const dataset = await loadBeirDataset(folder);
    // The empty text (d9) and the query without qrels are left out, as the reference does.
    assert.equal(dataset.corpusIds.length, 11);
    assert.ok(!dataset.corpusIds.includes('d9'));
    assert.deepEqual(dataset.queryIds, ['q0', 'q1', 'q2', 'q3']);
    const result = await evaluateDataset(encoder, dataset);

    const keep = expected.texts.map((_, i) => i).filter((i) => expected.texts[i] !== '');
    const ids = keep.map((i) => `d${i}`);
    const reference = retrievalMetrics(referenceRankings(expected, ids, keep, 100), dataset.relevant, DEFAULT_CUTOFFS);
    const ours = Object.fromEntries(Object.entries(result.metrics).filter(([key]) => key.startsWith('dot_')));
    assert.deepEqual(ours, reference);
    assert.equal(result.indexMatchesBruteForce, true);
    assert.equal(result.ndcg.exact, reference['dot_ndcg@10']);

    // Sparsity figures from the reference vectors with the same formulas: within the encoders' float noise.
    const rows = (vectors: Expected['document']) => ({ nnz: vectors.map((v) => v.indices.length), indicesOf: (r: number) => vectors[r]!.indices, length: vectors.length });
    const refSparsity = datasetSparsity(rows(expected.query), rows(keep.map((i) => expected.document[i]!)), 30522).stats;
    for (const key of SPARSITY_KEYS) {
      const tolerance = key.endsWith('ratio') ? 1e-4 : key === 'avg_flops' ? 0.01 * refSparsity.avg_flops : 0.5;
      assert.ok(Math.abs(result.metrics[key]! - refSparsity[key]) <= tolerance, `${key}: ${result.metrics[key]} vs ${refSparsity[key]}`);
    }
  });

  it('ranks through the index exactly as brute force when the candidate pool has to grow, and reports the approximate loss', async (t) => {
    // ~200 documents cut from the fixture texts; depth 10 makes the index's first pool (50) smaller than the corpus.
    const words = expected.texts.join(' ').split(/\s+/).filter(Boolean);
    const corpus: BeirFixture['corpus'] = [];
    for (let i = 0; corpus.length < 200; i += 7) corpus.push({ _id: `w${corpus.length}`, title: `part ${corpus.length % 13}`, text: words.slice(i % words.length, (i % words.length) + 9).join(' ') });
    const queries = Array.from({ length: 12 }, (_, q) => ({ _id: `q${q}`, text: corpus[q * 16]!.text.split(' ').slice(2, 6).join(' ') }));
    const qrels: BeirFixture['qrels'] = queries.map((q, i) => [q._id, `w${i * 16}`, 1]);
    const folder = await writeBeirFolder(join(data.path, 'windows'), { corpus, queries, qrels });
    const dataset = await loadBeirDataset(folder);
    const cutoffs = { accuracyAtK: [1, 3], precisionRecallAtK: [1, 3], mrrAtK: [10], ndcgAtK: [10], mapAtK: [10] };
    const shallow = await evaluateDataset(encoder, dataset, { cutoffs });
    assert.equal(shallow.indexMatchesBruteForce, true, `${shallow.differingQueries} queries differ`);
    assert.ok(shallow.index.exact.searches >= dataset.queryIds.length);
    t.diagnostic(`exact: ${JSON.stringify(shallow.index.exact)}; approximate: ${JSON.stringify(shallow.index.approximate)}`);
    const approximate = await evaluateDataset(encoder, dataset, { cutoffs, mode: 'approximate' });
    assert.equal(approximate.metrics['dot_ndcg@10'], approximate.ndcg.approximate);
    assert.equal(approximate.ndcg.loss, approximate.ndcg.exact - approximate.ndcg.approximate);
    assert.equal(approximate.ndcg.exact, shallow.metrics['dot_ndcg@10']);
    const deep = await evaluateDataset(encoder, dataset);
    assert.equal(deep.indexMatchesBruteForce, true);
  });

  it("CLI: JSON equal to sentence-transformers' own SparseNanoBEIREvaluator, bit for bit (avg_flops of the mean: last float32 bit)", async () => {
    // The datasets test/bench/st_eval_reference.py gave sentence-transformers 6.0.1 (test/fixtures/eval-st-reference.json).
    const fixture = fixtureDataset(expected);
    const parent = join(data.path, 'nano');
    await writeBeirFolder(join(parent, 'NanoSciFact'), fixture);
    await writeBeirFolder(join(parent, 'NanoNFCorpus'), {
      ...fixture,
      corpus: fixture.corpus.filter((d) => d._id !== 'd11'),
      qrels: fixture.qrels.filter(([q]) => q !== 'q2'),
      split: 'train',
    });
    const env = { ...process.env, SPLADE_CACHE_DIR: cache.path, SPLADE_MODEL: '' };
    const json = await runCliCaptured(['eval', '--dataset', parent, '--model', FIXTURE_V6, '--device', 'cpu', '--json'], { env });
    assert.equal(json.code, 0, json.stderr);
    assert.match(json.stderr, /encoding 10 NanoNFCorpus documents/);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(report.datasets.map((d: { name: string; split: string }) => [d.name, d.split]), [['NanoNFCorpus', 'train'], ['NanoSciFact', 'test']]);
    assert.equal(report.mean.name, 'NanoBEIR_mean');
    const reference = JSON.parse(await readFile(join(FIXTURE, '..', 'eval-st-reference.json'), 'utf8')).metrics as Record<string, number>;
    assert.deepEqual(Object.keys(report.metrics).sort(), Object.keys(reference).sort());
    for (const [key, value] of Object.entries(reference)) {
      // torch.dot sums the pooled count vectors in its BLAS's order: one float32 step apart at most.
      if (key === 'NanoBEIR_mean_avg_flops') assert.ok(Math.abs(report.metrics[key] - value) <= 2 ** (Math.floor(Math.log2(value)) - 23), `${key}: ${report.metrics[key]} vs ${value}`);
      else assert.equal(report.metrics[key], value, key);
    }
    assert.deepEqual((await findDatasetFolders(parent)).map((f) => f.slice(parent.length + 1)), ['NanoNFCorpus', 'NanoSciFact']);
  });

  it('CLI: the model card table with the NanoBEIR_mean column, what was left out, and the time split', async () => {
    const parent = join(data.path, 'nano');
    const env = { ...process.env, SPLADE_CACHE_DIR: cache.path, SPLADE_MODEL: '' };
    const text = await runCliCaptured(['eval', '--dataset', join(parent, 'NanoSciFact'), '--dataset', join(parent, 'NanoNFCorpus'), '--model', FIXTURE_V6, '--device', 'cpu', '--max-queries', '2', '--max-docs', '5'], { env });
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.split('\n');
    const header = lines.find((l) => l.startsWith('| Metric'));
    assert.match(header!, /^\| Metric +\| NanoSciFact +\| NanoNFCorpus +\| NanoBEIR_mean +\|$/);
    assert.ok(lines.some((l) => /^\| \*\*dot_ndcg@10\*\* +\| \*\*[0-9.]+\*\*/.test(l)), text.stdout);
    assert.ok(lines.some((l) => /^\| avg_flops +\| [0-9.]+/.test(l)));
    assert.match(text.stdout, /same lists as brute-force scoring/);
    assert.match(text.stdout, /NanoSciFact: 5 documents, 2 queries \(qrels test\); left out: 1 empty documents, 1 queries without a relevant document, 6 documents over --max-docs, 2 queries over --max-queries/);
    assert.match(text.stdout, /time: encoding [0-9.]+ s .*encoding is \d+% of the time/);
  });

  it('CLI: a folder that is no dataset, and a missing qrels split, are clear errors before the model loads', async () => {
    const env = { ...process.env, SPLADE_CACHE_DIR: cache.path, SPLADE_MODEL: '' };
    const none = await runCliCaptured(['eval', '--dataset', cache.path, '--model', '/nonexistent-model'], { env });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /is not a BEIR dataset: it has no corpus.jsonl/);
    const folder = join(data.path, 'fixture');
    const split = await runCliCaptured(['eval', '--dataset', folder, '--split', 'dev', '--model', '/nonexistent-model'], { env });
    assert.equal(split.code, 1);
    assert.match(split.stderr, /qrels\/dev\.tsv is missing; qrels\/ has test\.tsv \(choose one with --split\)/);
    const usage = await runCliCaptured(['eval'], { env });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--dataset is required/);
  });
});
