/**
 * `splade-search eval` timing: where the time goes (encoding against index build and search) on a synthetic BEIR
 * folder (app/eval/bench/synthetic-beir.ts), run through the CLI itself.
 *   1. the tiny fixture model on `--docs` documents (default 5,000) and `--queries` queries;
 *   2. a bert-base-uncased-shaped model with random weights and a LoRA adapter (test/bench/random-splade-model.ts)
 *      on `--bert-docs` documents (default 300; 0 skips it): the real model's encoding cost.
 * Prints one JSON object and a one-line summary per run.
 *
 * Usage: node --import tsx test/bench/eval.ts [--docs 5000] [--queries 200] [--bert-docs 300] [--bert-queries 50]
 *        [--threads N] [--keep]        (0 documents skips a run)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { writeSyntheticBeir } from '../../app/eval/bench/synthetic-beir.js';
import { runCliCaptured } from '../helpers/run-cli.js';
import { BERT_BASE, writeRandomSpladeModel } from './random-splade-model.js';

const { values: args } = parseArgs({
  options: {
    docs: { type: 'string', default: '5000' },
    queries: { type: 'string', default: '200' },
    'bert-docs': { type: 'string', default: '300' },
    'bert-queries': { type: 'string', default: '50' },
    threads: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const tiny = fileURLToPath(new URL('../fixtures/splade-tiny/splade-peft', import.meta.url));
const root = await mkdtemp(join(tmpdir(), 'splade-bench-eval-'));
const env = { ...process.env, SPLADE_CACHE_DIR: join(root, 'cache'), SPLADE_MODEL: '' };

async function run(label: string, model: string, docs: number, queries: number) {
  const dataset = await writeSyntheticBeir(join(root, `synthetic-${docs}`), { documents: docs, queries });
  const started = Date.now();
  const threads = args.threads ? ['--threads', args.threads] : [];
  const result = await runCliCaptured(['eval', '--dataset', dataset, '--model', model, '--device', 'cpu', '--json', ...threads], { env });
  if (result.code !== 0) throw new Error(`${label}: eval failed: ${result.stderr}`);
  const report = JSON.parse(result.stdout);
  const t = report.timing;
  const encode = t.encodeCorpusSeconds + t.encodeQueriesSeconds;
  const retrieve = t.indexBuildSeconds + t.retrieveSeconds;
  const d = report.datasets[0];
  return {
    label,
    documents: d.documents,
    queries: d.queries,
    wallSeconds: (Date.now() - started) / 1000,
    encodeSeconds: encode,
    encodeCorpusSeconds: t.encodeCorpusSeconds,
    encodeQueriesSeconds: t.encodeQueriesSeconds,
    documentsPerSecond: d.documents / t.encodeCorpusSeconds,
    retrieveSeconds: retrieve,
    indexBuildSeconds: t.indexBuildSeconds,
    exactSearchSeconds: t.retrieveSeconds,
    checks: { bruteForceSeconds: t.bruteForceSeconds, approximateSeconds: t.otherModeSeconds, metricsSeconds: t.metricsSeconds },
    encodeShare: encode / (encode + retrieve),
    indexMatchesBruteForce: d.indexMatchesBruteForce,
    exactSearches: d.index.exact.searches,
    bruteForceFallbacks: d.index.exact.bruteForceFallbacks,
    ndcg: d.ndcg,
    corpusActiveDims: d.metrics.corpus_active_dims,
    queryActiveDims: d.metrics.query_active_dims,
  };
}

try {
  const results = Number(args.docs) > 0 ? [await run('tiny fixture model', tiny, Number(args.docs), Number(args.queries))] : [];
  if (Number(args['bert-docs']) > 0) {
    const bert = await writeRandomSpladeModel(join(root, 'bert-base'), { dims: BERT_BASE, loraRank: 64 });
    results.push(await run('bert-base-shaped random model', bert, Number(args['bert-docs']), Number(args['bert-queries'])));
  }
  const machine = { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', loadavg: loadavg().map((l) => Number(l.toFixed(2))), node: process.version };
  console.log(JSON.stringify({ machine, results }, null, 2));
  for (const r of results) {
    console.error(
      `${r.label}: ${r.documents} docs + ${r.queries} queries: encoding ${r.encodeSeconds.toFixed(1)} s (${r.documentsPerSecond.toFixed(1)} docs/s), ` +
        `index build + exact search ${r.retrieveSeconds.toFixed(2)} s: encoding is ${(r.encodeShare * 100).toFixed(1)}% of encode + retrieve; ` +
        `index = brute force: ${r.indexMatchesBruteForce}; approximate ${r.ndcg.key} loss ${r.ndcg.loss.toFixed(4)}`,
    );
  }
} finally {
  if (!args.keep) await rm(root, { recursive: true, force: true });
  else console.error(`kept ${root}`);
}
