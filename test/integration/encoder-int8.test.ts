/**
 * The opt-in int8 CPU precision through the public encoder: the graph it runs, how close it stays to
 * sentence-transformers' float32 vectors on the fixture, its cache entry, the device rules, and the CLI flag.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { runCliCaptured } from '../helpers/run-cli.js';
import { SparseEncoder, type SparseVector } from '../../app/encoder/index.js';
import { compareEncodings } from '../bench/sparse-agreement.js';
import { FIXTURE_V6, type SparseRow, useEncoderFixture, encoderError } from '../helpers/encoder-helpers.js';

const vector = (row: SparseRow): SparseVector => ({ indices: Int32Array.from(row.indices), values: Float32Array.from(row.values) });

describe('precision int8 (CPU)', () => {
  const suite = useEncoderFixture('splade-int8-cache-');

  it('runs int8 weight products on the CPU provider, within the measured error of sentence-transformers float32', async (t) => {
    const encoder = await SparseEncoder.load(FIXTURE_V6, { precision: 'int8', device: 'cpu', cacheDir: suite.cacheDir, batchSize: 4 });
    try {
      assert.deepEqual([encoder.executionProvider.provider, encoder.executionProvider.precision, encoder.executionProvider.graphTarget], ['cpu', 'int8', 'cpu']);
      const graph = (await readFile(encoder.onnxModel.path)).toString('latin1');
      assert.ok(graph.includes('DynamicQuantizeMatMul') && graph.includes('QAttention'), 'the cached graph holds the int8 operators');
      const documents = await encoder.encodeDocument(suite.expected.texts);
      const queries = await encoder.encodeQuery(suite.expected.queries);
      const agreement = compareEncodings(suite.expected.document.map(vector), documents, { reference: suite.expected.query.map(vector), candidate: queries });
      // int8 is not float32: the numbers move, by about what the int8 bench measured on this fixture.
      assert.ok(agreement.maxAbsError > 1e-4, `int8 weights equal the float32 ones (${agreement.maxAbsError})`);
      assert.ok(agreement.maxAbsErrorOverLargest < 0.06, `max error ${agreement.maxAbsErrorOverLargest} of the largest weight`);
      assert.ok(agreement.similarity.meanRelativeError < 0.005, `similarity error ${agreement.similarity.meanRelativeError}`);
      assert.ok(agreement.similarity.maxRelativeError < 0.015, `similarity error ${agreement.similarity.maxRelativeError}`);
      assert.equal(agreement.similarity.sameBest, suite.expected.queries.length, 'every query finds the same best document');
      assert.ok(agreement.top10.meanOverlap > 0.95, `top-10 overlap ${agreement.top10.meanOverlap}`);
      t.diagnostic(`int8 vs sentence-transformers fp32: max error ${agreement.maxAbsErrorOverLargest.toExponential(2)} of the largest weight, similarity ${agreement.similarity.meanRelativeError.toExponential(2)} mean`);
    } finally {
      await encoder.dispose();
    }
  });

  it('caches the int8 graph under its own key, next to the float32 one', async () => {
    const fp32 = await SparseEncoder.load(FIXTURE_V6, { precision: 'fp32', device: 'cpu', cacheDir: suite.cacheDir });
    const int8 = await SparseEncoder.load(FIXTURE_V6, { precision: 'int8', device: 'cpu', cacheDir: suite.cacheDir });
    try {
      assert.notEqual(fp32.onnxModel.key, int8.onnxModel.key);
      assert.equal(int8.onnxModel.fromCache, true, 'the first test built it');
      const [a] = await fp32.encodeDocument([suite.expected.texts[0]!]);
      const [b] = await int8.encodeDocument([suite.expected.texts[0]!]);
      assert.notDeepEqual([...a!.values], [...b!.values]);
    } finally {
      await Promise.all([fp32.dispose(), int8.dispose()]);
    }
  });

  it('takes device auto to mean the CPU, and refuses a GPU provider by name', async () => {
    const encoder = await SparseEncoder.load(FIXTURE_V6, { precision: 'int8', device: 'auto', cacheDir: suite.cacheDir });
    try {
      assert.deepEqual([encoder.executionProvider.requested, encoder.executionProvider.provider, encoder.executionProvider.precision], ['cpu', 'cpu', 'int8']);
    } finally {
      await encoder.dispose();
    }
    for (const device of ['webgpu', 'cuda'] as const) {
      await assert.rejects(SparseEncoder.load(FIXTURE_V6, { precision: 'int8', device, cacheDir: suite.cacheDir }), encoderError('precision-unsupported', new RegExp(`precision int8 runs on the CPU provider only; device "${device}" was asked for`)));
    }
  });

  it('is the CLI flag --precision int8', async () => {
    const run = (argv: string[], input: string) => runCliCaptured(argv, { input, env: { ...process.env, SPLADE_CACHE_DIR: suite.cacheDir } });
    const ok = await run(['encode', '--model', FIXTURE_V6, '--precision', 'int8', '--top-k', '5'], `${JSON.stringify(suite.expected.texts[0])}\n`);
    assert.equal(ok.code, 0, ok.stderr);
    const terms = (JSON.parse(ok.stdout) as { terms: Array<[string, number]> }).terms;
    // The five heaviest terms are among sentence-transformers' float32 top ten (the fixture's top weights are near ties).
    assert.equal(terms.length, 5);
    const reference = new Set(suite.expected.decode[0]!.map(([token]) => token));
    for (const [token] of terms) assert.ok(reference.has(token), `${token} is not in the float32 top 10`);
    const refused = await run(['encode', '--model', FIXTURE_V6, '--precision', 'int8', '--device', 'webgpu'], '"x"\n');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /precision int8 runs on the CPU provider only/);
    const usage = await run(['encode', '--model', FIXTURE_V6, '--precision', 'int4'], '');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--precision must be one of auto, fp32, fp16, int8, got "int4"/);
  });
});
