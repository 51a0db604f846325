/**
 * `splade-search eval`: the model card's retrieval metrics (sentence-transformers' SparseInformationRetrievalEvaluator
 * and SparseNanoBEIREvaluator) for BEIR-format folders, computed with the app's encoder and index.
 */
import type { WriteStream } from 'node:tty';
import { DEVICES, PRECISIONS, type Device, type PrecisionSetting } from '../encoder/index.js';
import { pickModelSource, DEFAULT_MODEL_ID } from '../hub/index.js';
import { loadCliEncoder } from './load-encoder.js';
import {
  DEFAULT_CUTOFFS,
  evaluateDatasets,
  findDatasetFolders,
  isEvalError,
  loadBeirDataset,
  modelCardTable,
  type BeirDataset,
  type EvalProgress,
  type EvalReport,
  type RankingMode,
} from '../eval/index.js';
import { CliError, UsageError } from './cli-error.js';
import { choiceFlag, integerFlag, parseFlags } from './parse-flags.js';
import type { CliCommand } from './commands.js';

const usage = `usage: splade-search eval --dataset <dir> [--dataset <dir> ...] [options]

Encodes each BEIR dataset's corpus and queries with the model, ranks through the app's index and prints the metrics
of sentence-transformers' SparseInformationRetrievalEvaluator as a model card shows them (a metric per row, a
dataset per column; with several datasets also their mean, NanoBEIR_mean for NanoBEIR sets).

A dataset folder holds corpus.jsonl, queries.jsonl and qrels/<split>.tsv; --dataset may also name a folder of such
folders. NanoBEIR sets: see the README's Evaluation section for turning zeta-alpha-ai/Nano* into BEIR folders.

options:
  --dataset <dir>         a BEIR folder, or a folder of them (repeatable)
  --model <path|id>       default: $SPLADE_MODEL, else ${DEFAULT_MODEL_ID}
  --split <name>          qrels split (default: test, or the only file in qrels/; NanoBEIR uses train)
  --mode <m>              exact|approximate (default exact): the ranking the table reports; both always run,
                          exact is checked against brute-force scoring, approximate's NDCG loss is printed
  --k <list>              cut-offs of accuracy/precision/recall (default ${DEFAULT_CUTOFFS.accuracyAtK.join(',')});
                          MRR@${DEFAULT_CUTOFFS.mrrAtK[0]}, NDCG@${DEFAULT_CUTOFFS.ndcgAtK[0]}, MAP@${DEFAULT_CUTOFFS.mapAtK[0]} as the reference
  --max-docs <n>          keep at most n documents per dataset (the relevant ones first), for quick runs
  --max-queries <n>       keep at most the first n queries per dataset
  --device <d>            ${DEVICES.join('|')} (default auto)
  --precision <p>         ${PRECISIONS.join('|')} (default auto); fp32 reproduces the reference's numbers
  --batch-size <n>        texts per onnxruntime run (default 32, as the reference)
  --threads <n>           onnxruntime threads (default: all cores)
  --json                  one JSON object: metrics under the reference's names, timings, index checks`;

function cutoffList(value: string | undefined): number[] {
  if (value === undefined) return [...DEFAULT_CUTOFFS.accuracyAtK];
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) throw new UsageError(`--k must be a comma-separated list of positive integers, got "${value}"`);
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

/** Progress of encoding on stderr: a redrawn line on a terminal, else a line when a phase starts and ends. */
function encodeProgress(stream: NodeJS.WritableStream & Partial<Pick<WriteStream, 'isTTY' | 'columns'>>) {
  const tty = stream.isTTY === true;
  let started = 0;
  let drawn = false;
  return {
    listener(event: EvalProgress) {
      const what = `${event.dataset} ${event.phase === 'corpus' ? 'documents' : 'queries'}`;
      if (event.done === 0) started = Date.now();
      const elapsed = (Date.now() - started) / 1000;
      const rate = elapsed > 0 && event.done > 0 ? `  ${(event.done / elapsed).toFixed(1)}/s` : '';
      if (tty) {
        const width = 30;
        const filled = event.total > 0 ? Math.round((event.done / event.total) * width) : width;
        stream.write(`\r\x1b[Kencoding ${what}  [${'#'.repeat(filled).padEnd(width, '-')}]  ${event.done}/${event.total}${rate}`);
        drawn = true;
        if (event.done === event.total) {
          stream.write('\n');
          drawn = false;
        }
      } else if (event.done === 0) {
        stream.write(`encoding ${event.total} ${what}...\n`);
      } else if (event.done === event.total) {
        stream.write(`encoded ${event.total} ${what} in ${elapsed.toFixed(1)} s\n`);
      }
    },
    end() {
      if (drawn) stream.write('\n');
    },
  };
}

const fmt = (x: number) => x.toFixed(4);

const SKIPPED: Record<keyof BeirDataset['skipped'], string> = {
  emptyDocuments: 'empty documents',
  emptyQueries: 'empty queries',
  queriesWithoutRelevant: 'queries without a relevant document',
  documentsOverLimit: 'documents over --max-docs',
  queriesOverLimit: 'queries over --max-queries',
};

function summaryLines(report: EvalReport): string[] {
  const lines: string[] = [];
  for (const d of report.datasets) {
    const skipped = (Object.keys(SKIPPED) as (keyof typeof SKIPPED)[]).filter((k) => d.skipped[k] > 0).map((k) => `${d.skipped[k]} ${SKIPPED[k]}`);
    lines.push(`${d.name}: ${d.documents} documents, ${d.queries} queries (qrels ${d.split})${skipped.length ? `; left out: ${skipped.join(', ')}` : ''}`);
    lines.push(
      `  index, exact mode: ${d.indexMatchesBruteForce ? 'same lists as brute-force scoring' : `${d.differingQueries} queries differ from brute-force scoring`}` +
        ` (${d.index.exact.searches} searches, ${d.index.exact.bruteForceFallbacks} queries brute-forced)`,
    );
    lines.push(`  approximate mode: ${d.ndcg.key} ${fmt(d.ndcg.approximate)} against exact ${fmt(d.ndcg.exact)} (loss ${fmt(d.ndcg.loss)})`);
  }
  if (report.mean) lines.push(`${report.mean.name}: approximate ${report.mean.ndcg.key} ${fmt(report.mean.ndcg.approximate)} against exact ${fmt(report.mean.ndcg.exact)} (loss ${fmt(report.mean.ndcg.loss)})`);
  const t = report.timing;
  const encode = t.encodeCorpusSeconds + t.encodeQueriesSeconds;
  const retrieve = t.indexBuildSeconds + t.retrieveSeconds;
  const total = encode + retrieve + t.bruteForceSeconds + t.otherModeSeconds + t.metricsSeconds;
  lines.push(
    `time: encoding ${encode.toFixed(2)} s (documents ${t.encodeCorpusSeconds.toFixed(2)}, queries ${t.encodeQueriesSeconds.toFixed(2)}), ` +
      `retrieval ${retrieve.toFixed(2)} s (index build ${t.indexBuildSeconds.toFixed(2)}, ${report.mode} search ${t.retrieveSeconds.toFixed(2)}); ` +
      `checks: brute force ${t.bruteForceSeconds.toFixed(2)} s, ${report.mode === 'exact' ? 'approximate' : 'exact'} search ${t.otherModeSeconds.toFixed(2)} s; ` +
      `encoding is ${total > 0 ? Math.round((encode / total) * 100) : 0}% of the time`,
  );
  return lines;
}

/** The report without the count vectors kept for the aggregate. */
function jsonReport(report: EvalReport, model: Record<string, unknown>) {
  return {
    model,
    mode: report.mode,
    metrics: report.metrics,
    datasets: report.datasets.map(({ sparsity: _sparsity, ...rest }) => rest),
    ...(report.mean ? { mean: report.mean } : {}),
    timing: report.timing,
  };
}

export const evalCommand: CliCommand = {
  usage,
  async run(args, io) {
    const values = parseFlags(args, {
          dataset: { type: 'string', multiple: true },
          model: { type: 'string' },
          split: { type: 'string' },
          mode: { type: 'string', default: 'exact' },
          k: { type: 'string' },
          'max-docs': { type: 'string' },
          'max-queries': { type: 'string' },
          device: { type: 'string', default: 'auto' },
          precision: { type: 'string', default: 'auto' },
          'batch-size': { type: 'string' },
          threads: { type: 'string' },
          json: { type: 'boolean', default: false },
        }, usage);
    if (!values.dataset || values.dataset.length === 0) throw new UsageError(`--dataset is required\n\n${usage}`);
    const mode = choiceFlag<RankingMode>(values.mode, '--mode', ['exact', 'approximate']);
    const device = choiceFlag<Device>(values.device, '--device', DEVICES);
    const precision = choiceFlag<PrecisionSetting>(values.precision, '--precision', PRECISIONS);
    const batchSize = integerFlag(values['batch-size'], '--batch-size') ?? 32;
    const threads = integerFlag(values.threads, '--threads');
    const maxDocs = integerFlag(values['max-docs'], '--max-docs');
    const maxQueries = integerFlag(values['max-queries'], '--max-queries');
    const k = cutoffList(values.k);
    const cutoffs = { ...DEFAULT_CUTOFFS, accuracyAtK: k, precisionRecallAtK: k };

    // Datasets first: a bad folder fails before the model loads.
    const datasets: BeirDataset[] = [];
    try {
      for (const dir of values.dataset) {
        for (const folder of await findDatasetFolders(dir)) datasets.push(await loadBeirDataset(folder, { split: values.split, maxDocs, maxQueries }));
      }
    } catch (error) {
      if (isEvalError(error)) throw new CliError(error.message);
      throw error;
    }
    const names = new Set<string>();
    for (const d of datasets) {
      if (names.has(d.name)) throw new CliError(`two datasets are named ${d.name} (${datasets.filter((x) => x.name === d.name).map((x) => x.folder).join(', ')})`);
      names.add(d.name);
    }

    let reference: string;
    try {
      const source = pickModelSource({ option: values.model, env: io.env });
      reference = source.kind === 'folder' ? source.path : source.id;
    } catch (error) {
      throw new CliError((error as Error).message);
    }
    const stderr = io.stderr as NodeJS.WritableStream & Partial<Pick<WriteStream, 'isTTY' | 'columns'>>;
    const encoder = await loadCliEncoder(reference, io, { device, precision, batchSize, ...(threads !== undefined ? { threads } : {}) });
    const progress = encodeProgress(stderr);
    let report: EvalReport;
    try {
      report = await evaluateDatasets(encoder, datasets, { cutoffs, mode, onProgress: progress.listener });
    } finally {
      progress.end();
      await encoder.dispose();
    }
    const choice = encoder.executionProvider;
    if (values.json) {
      io.stdout.write(JSON.stringify(jsonReport(report, { reference, provider: choice.provider, precision: choice.precision }), null, 2) + '\n');
    } else {
      const columns = [...report.datasets, ...(report.mean ? [report.mean] : [])];
      io.stdout.write(`model: ${reference} (${choice.provider}, ${choice.precision}); ranking: ${mode}\n\n`);
      io.stdout.write(modelCardTable(columns, report.datasets[0]!.ndcg.key) + '\n');
      io.stdout.write(summaryLines(report).join('\n') + '\n');
    }
    const differing = report.datasets.filter((d) => !d.indexMatchesBruteForce);
    if (differing.length > 0) {
      throw new CliError(`ranking through the index differed from brute-force scoring on ${differing.map((d) => `${d.name} (${d.differingQueries} queries)`).join(', ')}`);
    }
  },
};
