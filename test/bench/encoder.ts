/**
 * Encoder benchmark: a bert-base-uncased-shaped SPLADE model (random weights + LoRA adapter) written as a model
 * folder, built into the encoder's ONNX graph, then sequences/s at 32 x 128 and 32 x 256 tokens, and the fraction of
 * onnxruntime's own fp32 MatMul peak on this machine (best of three large MatMul shapes) that the encoder reaches.
 *
 * Times are the best of `--runs` runs after a warm-up (other processes only ever slow a run down).
 *
 * Usage: node --import tsx test/bench/encoder.ts [--device cpu] [--threads N] [--runs N] [--lengths 128,256]
 *        [--batch 32] [--attention fused|plain] [--spin] [--keep] [--json]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEVICES, type Device } from '../../app/encoder/execution-providers.js';
import { loadOnnxRuntime } from '../../app/onnxruntime/index.js';
import { readModelFolder } from '../../app/encoder/model-folder.js';
import { encoderSessionOptions, openOnnxSession, runSparseBatch } from '../../app/encoder/onnx-runner.js';
import { DataType, encodeModel } from '../../app/encoder/onnx/onnx-proto.js';
import { prepareOnnxModel } from '../../app/encoder/prepare-onnx-model.js';
import { BERT_BASE, randomNormal, randomTokenBatch, writeRandomSpladeModel } from './random-splade-model.js';

const { values: args } = parseArgs({
  options: {
    device: { type: 'string', default: 'cpu' },
    threads: { type: 'string' },
    runs: { type: 'string', default: '2' },
    lengths: { type: 'string', default: '128,256' },
    batch: { type: 'string', default: '32' },
    attention: { type: 'string', default: 'fused' },
    spin: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const device = args.device as Device;
if (!DEVICES.includes(device)) throw new Error(`--device must be one of ${DEVICES.join(', ')}`);
const threads = args.threads ? Number(args.threads) : availableParallelism();
const runs = Math.max(1, Number(args.runs));
const batchSize = Number(args.batch);
const lengths = args.lengths!.split(',').map(Number);
const attention = args.attention as 'fused' | 'plain';
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
// The same onnxruntime-node copy the encoder uses (bundled, or the CUDA pack when installed).
const { ort } = await loadOnnxRuntime();

const CONFIG = BERT_BASE;
const LORA_RANK = 64;

/** Matrix FLOPs of one forward pass (multiply-add = 2): all MatMuls incl. attention and the vocabulary decoder. */
function encoderFlops(batch: number, seq: number): number {
  const { hidden: H, intermediate: I, layers: L, vocab: V } = CONFIG;
  const n = batch * seq;
  const perLayer = 2 * n * H * H * 4 + 2 * n * H * I * 2 + 2 * 2 * batch * seq * seq * H;
  return L * perLayer + 2 * n * H * H + 2 * n * H * V;
}

/** Best (shortest) time: other processes can only slow a run down, so the minimum is the least disturbed one. */
/** CPU seconds (all threads of this process) since `start`. */
const cpuTime = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};
const best = (xs: number[]) => Math.min(...xs);

/** The MatMul shapes of the reference: the two feed-forward products and the vocabulary decoder, at 32 x 128. */
const REFERENCE_SHAPES: Array<[number, number, number]> = [
  [4096, 768, 3072],
  [4096, 3072, 768],
  [4096, 768, 30522],
];

/**
 * onnxruntime's fp32 MatMul throughput on this machine, with the encoder's session settings: GFLOP/s of each
 * reference shape (constant weights, best run after warm-up) and their maximum, the "peak". Each product feeds a
 * ReduceMax so that, as inside the encoder, it is an intermediate tensor (arena memory) rather than a fresh output
 * buffer per run; the reduction costs about 1% of the MatMul.
 */
async function matmulReference(providers: string[]): Promise<{ gflops: number; gflopsPerCpuSecond: number; shapes: Array<{ shape: number[]; gflops: number; gflopsPerCpuSecond: number }> }> {
  const shapes: Array<{ shape: number[]; gflops: number; gflopsPerCpuSecond: number }> = [];
  for (const [M, K, N] of REFERENCE_SHAPES) {
    const weights = randomNormal(K * N, 0.02, 0, 7);
    const model = encodeModel({
      irVersion: 8,
      opsetImports: [{ domain: '', version: 17 }],
      producerName: 'bench',
      producerVersion: '1',
      graph: {
        name: 'matmul',
        nodes: [
          { opType: 'MatMul', inputs: ['a', 'b'], outputs: ['product'] },
          { opType: 'ReduceMax', inputs: ['product'], outputs: ['c'], attributes: [{ name: 'axes', type: 'ints', value: [0] }, { name: 'keepdims', type: 'int', value: 0 }] },
        ],
        initializers: [{ name: 'b', dataType: DataType.FLOAT, dims: [K, N], raw: new Uint8Array(weights.buffer) }],
        inputs: [{ name: 'a', elemType: DataType.FLOAT, shape: [M, K] }],
        outputs: [{ name: 'c', elemType: DataType.FLOAT, shape: [N] }],
      },
    }).toBytes();
    const session = await ort.InferenceSession.create(model, { ...encoderSessionOptions({ threads, allowSpinning: args.spin }), executionProviders: providers });
    const a = new ort.Tensor('float32', randomNormal(M * K, 1, 0, 9), [M, K]);
    const flops = 2 * M * K * N;
    // About 2 s of timed runs per shape (at least 3), after 2 warm-ups.
    const seconds: number[] = [];
    const cpuSeconds: number[] = [];
    for (let i = 0; i < 2 + 3 || (seconds.length < 40 && seconds.reduce((x, y) => x + y, 0) < 2); i++) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      await session.run({ a });
      if (i >= 2) {
        seconds.push((performance.now() - start) / 1000);
        cpuSeconds.push(cpuTime(cpu));
      }
    }
    await session.release();
    shapes.push({ shape: [M, K, N], gflops: flops / best(seconds) / 1e9, gflopsPerCpuSecond: flops / best(cpuSeconds) / 1e9 });
  }
  return { gflops: Math.max(...shapes.map((s) => s.gflops)), gflopsPerCpuSecond: Math.max(...shapes.map((s) => s.gflopsPerCpuSecond)), shapes };
}

const root = await mkdtemp(join(tmpdir(), 'splade-bench-'));
try {
  let t = performance.now();
  const folder = await writeRandomSpladeModel(root, { dims: CONFIG, loraRank: LORA_RANK });
  const writeSeconds = (performance.now() - t) / 1000;
  log(`model folder written in ${writeSeconds.toFixed(1)} s (${root})`);
  const model = await readModelFolder(folder);
  t = performance.now();
  const prepared = await prepareOnnxModel(model, { cacheDir: join(root, 'cache'), attention });
  const buildSeconds = (performance.now() - t) / 1000;
  log(`ONNX graph built (weights read, LoRA merged, serialized) in ${buildSeconds.toFixed(1)} s`);
  t = performance.now();
  const { session, choice, ort: encoderOrt } = await openOnnxSession(prepared, { device, threads, allowSpinning: args.spin });
  const sessionSeconds = (performance.now() - t) / 1000;
  log(`session on ${choice.provider} in ${sessionSeconds.toFixed(1)} s${choice.fallbackReason ? ` (fallback: ${choice.fallbackReason})` : ''}`);
  const providers = choice.provider === 'cpu' ? ['cpu'] : [choice.provider, 'cpu'];
  const peakBefore = await matmulReference(providers);
  log(`MatMul reference: ${peakBefore.shapes.map((s) => `${s.shape.join('x')} ${s.gflops.toFixed(0)}`).join(', ')} GFLOP/s`);

  const results = [];
  for (const length of lengths) {
    const batch = randomTokenBatch(batchSize, length, length);
    const seconds: number[] = [];
    const cpuSeconds: number[] = [];
    let activeDims = 0;
    for (let i = 0; i <= runs; i++) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      const packed = await runSparseBatch(encoderOrt, session, prepared.outputName, model.pooling.activation, batch);
      const elapsed = (performance.now() - start) / 1000;
      if (i === 0) {
        activeDims = packed.indices.length / batchSize;
        log(`${batchSize} x ${length}: warm-up ${elapsed.toFixed(2)} s`);
      } else {
        seconds.push(elapsed);
        cpuSeconds.push(cpuTime(cpu));
        log(`${batchSize} x ${length}: run ${i} ${elapsed.toFixed(2)} s`);
      }
    }
    const perBatch = best(seconds);
    const flops = encoderFlops(batchSize, length);
    results.push({ batch: batchSize, length, secondsPerBatch: perBatch, seconds, cpuSeconds, sequencesPerSecond: batchSize / perBatch, gflopPerBatch: flops / 1e9, gflops: flops / perBatch / 1e9, gflopsPerCpuSecond: flops / best(cpuSeconds) / 1e9, meanActiveDims: Math.round(activeDims) });
  }
  await session.release();
  const peakAfter = await matmulReference(providers);
  log(`MatMul reference again: ${peakAfter.shapes.map((s) => `${s.shape.join('x')} ${s.gflops.toFixed(0)}`).join(', ')} GFLOP/s`);
  const peak = Math.max(peakBefore.gflops, peakAfter.gflops);
  const peakPerCpu = Math.max(peakBefore.gflopsPerCpuSecond, peakAfter.gflopsPerCpuSecond);
  const report = {
    benchmark: 'encoder',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverage: loadavg().map((x) => Math.round(x * 100) / 100) },
    timing: 'best of the runs after one warm-up (encoder) / after two warm-ups (MatMul)',
    node: process.version,
    onnxruntime: ort.env.versions.common,
    device,
    provider: choice.provider,
    fallbackReason: choice.fallbackReason ?? null,
    threads,
    allowSpinning: args.spin,
    attention,
    model: { ...CONFIG, loraRank: LORA_RANK, graph: prepared.outputName },
    setupSeconds: { writeFolder: writeSeconds, buildGraph: buildSeconds, createSession: sessionSeconds },
    matmulReference: {
      gflops: peak,
      gflopsPerCpuSecond: peakPerCpu,
      shapes: peakBefore.shapes.map((s, i) => ({ shape: s.shape, gflopsBefore: s.gflops, gflopsAfter: peakAfter.shapes[i]!.gflops, gflopsPerCpuSecond: Math.max(s.gflopsPerCpuSecond, peakAfter.shapes[i]!.gflopsPerCpuSecond) })),
    },
    results: results.map((r) => ({
      ...r,
      fractionOfMatmulPeak: r.gflops / peak,
      // Per CPU-second of this process: robust to other processes taking turns on the cores, blind to idle threads.
      fractionOfMatmulPeakPerCpuSecond: r.gflopsPerCpuSecond / peakPerCpu,
    })),
  };
  console.log(JSON.stringify(report, null, args.json ? undefined : 2));
  if (!args.json) {
    console.log(
      `encoder (${choice.provider}, ${threads} threads, ${attention}): ` +
        report.results.map((r) => `${r.batch}x${r.length} ${r.sequencesPerSecond.toFixed(2)} seq/s, ${r.gflops.toFixed(0)} GFLOP/s = ${(r.fractionOfMatmulPeak * 100).toFixed(0)}% of MatMul peak (${(r.fractionOfMatmulPeakPerCpuSecond * 100).toFixed(0)}% per CPU-second)`).join('; ') +
        ` (MatMul peak ${peak.toFixed(0)} GFLOP/s)`,
    );
  }
} finally {
  if (args.keep) log(`kept ${root}`);
  else await rm(root, { recursive: true, force: true });
}
