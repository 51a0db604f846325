/**
 * The int8 CPU mode against float32: the encoder's float32 CPU graph and its `quantizeForCpu` form, on the same
 * machine in the same run. Sequences/s of both at fixed shapes (runs interleaved, so that other load on the machine
 * slows both alike), and how far the int8 vectors are from the float32 ones: on the splade-tiny fixture (against
 * sentence-transformers' expected.json) and on a bert-base-shaped model with random weights (against its float32
 * graph). `int8.json` in `--out` is rewritten after each step; progress goes to stderr; at the end one JSON object
 * and a one-line summary go to stdout.
 *
 * Here: node --import tsx test/bench/encoder-int8.ts [--small] [--budget 600]
 * Bundled, for one run on another machine (reads nothing outside the repository; run from its root):
 *   npx esbuild test/bench/encoder-int8.ts --bundle --platform=node --format=esm --external:onnxruntime-node --outfile=.gpu/int8.mjs
 *   node .gpu/int8.mjs --out $OUT
 *
 * Options: --out DIR (default int8-out), --small (hidden 64, 2 layers: a quick check of the script), --threads N
 * (default: all cores), --batch N (32), --lengths a,b (default 256,128), --runs N (timed runs of each graph per
 * length after one warm-up, default 3), --variants a,b (other int8 forms, measured right after the first length:
 * decoder-fp32, mha, attention-fp32; default decoder-fp32,mha; 'none' for none), --budget SECONDS (default 40: steps
 * that would not fit are skipped).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { InferenceSession } from 'onnxruntime-node';
import { readModelFolder } from '../../app/encoder/model-folder.js';
import { loadBertWeights } from '../../app/encoder/model-weights.js';
import { buildBertGraph } from '../../app/encoder/onnx/bert-graph.js';
import { encodeModel, type OnnxModel } from '../../app/encoder/onnx/onnx-proto.js';
import { quantizeForCpu, type CpuInt8Options } from '../../app/encoder/onnx/quantize-weights.js';
import { encoderSessionOptions, packOutput, runDenseBatch, type Int64Batch } from '../../app/encoder/onnx-runner.js';
import { unpackRows, type SparseVector } from '../../app/encoder/sparse-vector.js';
import { loadOnnxRuntime } from '../../app/onnxruntime/index.js';
import { encodeTexts, loadFixture } from './fixture-encoding.js';
import { BERT_BASE, BERT_SMALL, randomTokenBatch, writeRandomSpladeModel } from './random-splade-model.js';
import { compareEncodings } from './sparse-agreement.js';
import { recordStep } from './bench-steps.js';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: 'int8-out' },
    small: { type: 'boolean', default: false },
    threads: { type: 'string' },
    batch: { type: 'string', default: '32' },
    lengths: { type: 'string', default: '256,128' },
    runs: { type: 'string', default: '3' },
    variants: { type: 'string', default: 'decoder-fp32,mha' },
    budget: { type: 'string', default: '40' },
  },
});
const started = performance.now();
const elapsed = () => (performance.now() - started) / 1000;
const log = (message: string) => process.stderr.write(`[int8 ${elapsed().toFixed(1).padStart(5)} s] ${message}\n`);
const budget = Number(args.budget);
const threads = args.threads ? Number(args.threads) : availableParallelism();
const batchSize = Number(args.batch);
const lengths = args.lengths!.split(',').map(Number);
const runs = Math.max(1, Number(args.runs));
const dims = args.small ? BERT_SMALL : BERT_BASE;
const VARIANTS: Record<string, CpuInt8Options> = { mha: { attention: 'int8-mha' }, 'decoder-fp32': { decoder: 'fp32' }, 'attention-fp32': { attention: 'fp32' } };
const variantNames = args.variants === 'none' ? [] : args.variants!.split(',').filter(Boolean);
for (const name of variantNames) if (!VARIANTS[name]) throw new Error(`--variants: unknown variant "${name}" (known: ${Object.keys(VARIANTS).join(', ')})`);
const out = resolve(args.out!);
mkdirSync(out, { recursive: true });

const report: Record<string, unknown> = {
  benchmark: 'encoder-int8',
  date: new Date().toISOString(),
  args: process.argv.slice(2),
  timing:
    'per length: one warm-up run of each graph, then runs alternating float32 and int8; sequences/s from the best run (other load only ever slows a run down); median and CPU seconds of this process also given',
  steps: {} as Record<string, unknown>,
};
const steps = report.steps as Record<string, unknown>;
const save = () => writeFileSync(join(out, 'int8.json'), JSON.stringify(report, null, 1));
save();

/** Runs a step and records its result or its error; `estimate` seconds beyond the budget skip it. */
async function step<T extends Record<string, unknown>>(name: string, estimate: number, body: (record: Record<string, unknown>) => Promise<T>): Promise<T | undefined> {
  if (elapsed() + estimate > budget) {
    steps[name] = { status: 'skipped', reason: `would not fit the ${budget} s budget (${elapsed().toFixed(0)} s used, about ${estimate} s needed)` };
    save();
    log(`${name}: skipped (budget)`);
    return undefined;
  }
  return recordStep({ steps, save, log }, name, `${name}: start`, body);
}

const cpuSeconds = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 4) => Number(x.toPrecision(digits));

const { ort } = await loadOnnxRuntime({ useCudaPack: false });
const sessionOptions = { ...encoderSessionOptions({ threads }), executionProviders: ['cpu'] };
const openSession = (model: OnnxModel) => ort.InferenceSession.create(encodeModel(model).toBytes(), sessionOptions);

// ---- 1. environment: the CPU features MLAS picks its int8 kernels by.
await step('env', 1, async () => {
  let flags: string[] = [];
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    flags = (line?.split(':')[1] ?? '').trim().split(/\s+/);
  } catch {
    // not Linux
  }
  const interesting = ['avx2', 'avx512f', 'avx512bw', 'avx512_vnni', 'avx_vnni', 'amx_tile', 'amx_int8', 'amx_bf16', 'avx512_bf16', 'avx512_fp16'];
  return {
    node: process.version,
    onnxruntime: ort.env.versions.common,
    cpu: { model: cpus()[0]?.model ?? 'unknown', count: cpus().length, available: availableParallelism(), memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverage: loadavg().map((x) => round(x, 3)) },
    cpuFlags: Object.fromEntries(interesting.map((f) => [f, flags.includes(f)])),
    threads,
  };
});

// ---- 2. the splade-tiny fixture: int8 against sentence-transformers (expected.json); float32 as a control.
await step('fixture', 5, async () => {
  const fixture = await loadFixture();
  const result: Record<string, unknown> = {};
  const forms: Array<[string, OnnxModel]> = [
    ['fp32', fixture.graph],
    ['int8', quantizeForCpu(fixture.graph).model],
  ];
  let int8Session: InferenceSession | undefined;
  for (const [label, graph] of forms) {
    const session = await openSession(graph);
    const documents = await encodeTexts(ort, session, fixture, fixture.expected.texts, fixture.model.documentPrompt);
    const queries = await encodeTexts(ort, session, fixture, fixture.expected.queries, fixture.model.queryPrompt);
    result[label] = compareEncodings(fixture.documents, documents, { reference: fixture.queries, candidate: queries });
    if (label === 'int8') int8Session = session;
    else await session.release();
  }
  // Dynamic quantization takes its activation range per batch: a text's int8 vector depends a little on its batch.
  const alone: SparseVector[] = [];
  for (const text of fixture.expected.texts) alone.push(...(await encodeTexts(ort, int8Session!, fixture, [text], fixture.model.documentPrompt)));
  const together = await encodeTexts(ort, int8Session!, fixture, fixture.expected.texts, fixture.model.documentPrompt);
  await int8Session!.release();
  const batching = compareEncodings(together, alone);
  result.int8AloneVsInBatch = { maxAbsErrorOverLargest: batching.maxAbsErrorOverLargest, top10Overlap: batching.top10.meanOverlap, meanSimilarityRelativeError: batching.similarity.meanRelativeError };
  return result;
});

// ---- 3. the bert-base-shaped model: folder, weights, float32 graph, int8 pass.
const scratch = await mkdtemp(join(tmpdir(), 'splade-int8-bench-'));
let fp32Graph: OnnxModel | undefined;
let int8Graph: OnnxModel | undefined;
await step('model', 15, async () => {
  let t0 = performance.now();
  const folder = await writeRandomSpladeModel(scratch, { dims });
  const writeSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const model = await readModelFolder(folder);
  if (model.weights.format !== 'safetensors') throw new Error('expected safetensors weights');
  const { weights } = await loadBertWeights(model.weights.files, model.weights.bertConfig, model.adapter);
  fp32Graph = buildBertGraph(weights, { pooling: model.pooling });
  const buildSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const quantized = quantizeForCpu(fp32Graph);
  int8Graph = quantized.model;
  const quantizeSeconds = (performance.now() - t0) / 1000;
  return { dims, writeSeconds, buildSeconds, quantizeSeconds, quantized: quantized.summary.quantized, keptFloat: quantized.summary.keptFloat, initializerMB: { fp32: round(quantized.summary.initializerBytes.before / 1e6), int8: round(quantized.summary.initializerBytes.after / 1e6) } };
});

interface Timing {
  secondsPerBatch: number;
  sequencesPerSecond: number;
  medianSeconds: number;
  seconds: number[];
  cpuSecondsPerBatch: number;
  sequencesPerCpuSecond: number;
}

function timing(seconds: number[], cpu: number[]): Timing {
  const best = Math.min(...seconds);
  const bestCpu = Math.min(...cpu);
  return { secondsPerBatch: round(best), sequencesPerSecond: round(batchSize / best), medianSeconds: round(median(seconds)), seconds: seconds.map((s) => round(s)), cpuSecondsPerBatch: round(bestCpu), sequencesPerCpuSecond: round(batchSize / bestCpu) };
}

/** One warm-up of each session, then `runs` rounds of one run of each in turn; returns timings and the last outputs. */
async function interleaved(sessions: InferenceSession[], batch: Int64Batch) {
  const outputName = 'pooled_logits';
  const seconds = sessions.map(() => [] as number[]);
  const cpu = sessions.map(() => [] as number[]);
  const outputs: SparseVector[][] = [];
  for (let round = 0; round <= runs; round++) {
    for (let i = 0; i < sessions.length; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const dense = await runDenseBatch(ort, sessions[i]!, outputName, batch);
      const wall = (performance.now() - t0) / 1000;
      if (round > 0) {
        seconds[i]!.push(wall);
        cpu[i]!.push(cpuSeconds(c0));
      } else {
        outputs[i] = unpackRows(packOutput(dense, outputName, 'relu'));
        log(`  ${batch.batchSize} x ${batch.sequenceLength} session ${i}: warm-up ${wall.toFixed(2)} s`);
      }
    }
  }
  return { timings: sessions.map((_, i) => timing(seconds[i]!, cpu[i]!)), outputs };
}

// ---- 4. speed and accuracy, float32 against int8, at each length.
const speed: Array<Record<string, unknown>> = [];
let sessions: { fp32: InferenceSession; int8: InferenceSession } | undefined;
if (fp32Graph && int8Graph) {
  await step('sessions', 4, async () => {
    let t0 = performance.now();
    const fp32 = await openSession(fp32Graph!);
    const fp32Seconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const int8 = await openSession(int8Graph!);
    const int8Seconds = (performance.now() - t0) / 1000;
    sessions = { fp32, int8 };
    return { createSeconds: { fp32: fp32Seconds, int8: int8Seconds } };
  });
}
if (sessions) {
  const { fp32, int8 } = sessions;
  const fp32Outputs = new Map<number, SparseVector[]>();
  // Seconds per token of one float32 run plus one int8 run, from the first length measured (for the budget).
  let secondsPerToken = 0;
  const measureLength = async (length: number) => {
    const estimate = secondsPerToken > 0 ? secondsPerToken * batchSize * length * (runs + 1) * 1.2 : 10;
    await step(`speed:${batchSize}x${length}`, estimate, async () => {
      const { timings, outputs } = await interleaved([fp32, int8], randomTokenBatch(batchSize, length, length));
      const [f, q] = timings as [Timing, Timing];
      secondsPerToken = (f.secondsPerBatch + q.secondsPerBatch) / (batchSize * length);
      fp32Outputs.set(length, outputs[0]!);
      const result = {
        batch: batchSize,
        length,
        fp32: f,
        int8: q,
        speedup: round(f.secondsPerBatch / q.secondsPerBatch),
        speedupPerCpuSecond: round(f.cpuSecondsPerBatch / q.cpuSecondsPerBatch),
        accuracyVsFp32: compareEncodings(outputs[0]!, outputs[1]!),
      };
      speed.push(result);
      log(`  ${batchSize} x ${length}: fp32 ${f.sequencesPerSecond.toFixed(2)} seq/s, int8 ${q.sequencesPerSecond.toFixed(2)} seq/s (${result.speedup.toFixed(2)}x)`);
      return result;
    });
  };
  // ---- 5. other int8 forms at the first length: speed against the default int8 form (interleaved), accuracy against float32.
  const measureVariant = async (name: string, length: number) => {
    const estimate = secondsPerToken > 0 ? secondsPerToken * batchSize * length * (runs + 1) * 1.5 + 4 : 15;
    await step(`variant:${name}`, estimate, async () => {
      const t0 = performance.now();
      const { model, summary } = quantizeForCpu(fp32Graph!, VARIANTS[name]);
      const session = await openSession(model);
      const setupSeconds = (performance.now() - t0) / 1000;
      try {
        const { timings, outputs } = await interleaved([int8, session], randomTokenBatch(batchSize, length, length));
        const [base, variant] = timings as [Timing, Timing];
        const reference = fp32Outputs.get(length);
        return {
          options: VARIANTS[name],
          quantized: summary.quantized,
          setupSeconds,
          batch: batchSize,
          length,
          int8: base,
          variant,
          speedupOverInt8: round(base.secondsPerBatch / variant.secondsPerBatch),
          accuracyVsFp32: reference ? compareEncodings(reference, outputs[1]!) : null,
        };
      } finally {
        await session.release();
      }
    });
  };
  const [first, ...rest] = lengths;
  await measureLength(first!);
  for (const name of variantNames) await measureVariant(name, first!);
  for (const length of rest) await measureLength(length);
  await fp32.release();
  await int8.release();
}
await rm(scratch, { recursive: true, force: true });
report.totalSeconds = elapsed();
save();

console.log(JSON.stringify(report));
const fixture = steps.fixture as { int8?: { maxAbsErrorOverLargest: number; similarity: { meanRelativeError: number }; top10: { meanOverlap: number } } } | undefined;
console.log(
  `encoder-int8 (${threads} threads): ` +
    speed.map((r) => `${r.batch}x${r.length} fp32 ${(r.fp32 as Timing).sequencesPerSecond.toFixed(2)} / int8 ${(r.int8 as Timing).sequencesPerSecond.toFixed(2)} seq/s (${(r.speedup as number).toFixed(2)}x)`).join('; ') +
    (fixture?.int8 ? `; fixture int8 vs sentence-transformers: max error ${(fixture.int8.maxAbsErrorOverLargest * 100).toFixed(1)}% of the largest weight, similarity ${(fixture.int8.similarity.meanRelativeError * 100).toFixed(2)}% (mean), top-10 overlap ${(fixture.int8.top10.meanOverlap * 100).toFixed(1)}%` : '') +
    ` (${elapsed().toFixed(0)} s)`,
);
