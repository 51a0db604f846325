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
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEVICES, type Device } from '../../app/encoder/execution-providers.js';
import { loadOnnxRuntime } from '../../app/onnxruntime/index.js';
import { readModelFolder } from '../../app/encoder/model-folder.js';
import { encoderSessionOptions, openOnnxSession, runSparseBatch } from '../../app/encoder/onnx-runner.js';
import { DataType, encodeModel } from '../../app/encoder/onnx/onnx-proto.js';
import { prepareOnnxModel } from '../../app/encoder/prepare-onnx-model.js';
import { writeSafetensors, type SafetensorsTensor } from '../../app/encoder/safetensors-writer.js';

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

// bert-base-uncased
const CONFIG = { vocab: 30522, hidden: 768, layers: 12, heads: 12, intermediate: 3072, positions: 512, types: 2 };
const LORA_RANK = 64;

/** Deterministic normal samples (xorshift32 + Box-Muller). */
function randomNormal(count: number, std: number, mean = 0, seed = 1): Float32Array {
  let state = seed >>> 0 || 1;
  const uniform = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const t = 2 * Math.PI * uniform();
    out[i] = mean + std * r * Math.cos(t);
    if (i + 1 < count) out[i + 1] = mean + std * r * Math.sin(t);
  }
  return out;
}

function fixtureFolder(): string {
  const candidates = [fileURLToPath(new URL('../fixtures/splade-tiny/base', import.meta.url)), join(process.cwd(), 'test/fixtures/splade-tiny/base')];
  const found = candidates.find((c) => existsSync(join(c, 'tokenizer.json')));
  if (!found) throw new Error(`cannot find the fixture tokenizer files (looked in ${candidates.join(', ')}); run from the repository root`);
  return found;
}

/** Writes base/ (BertForMaskedLM safetensors) and splade/ (v5 layout, LoRA r=64 on query/value) under `root`. */
async function writeModelFolder(root: string): Promise<string> {
  const { vocab: V, hidden: H, layers: L, intermediate: I } = CONFIG;
  const base = join(root, 'base');
  const splade = join(root, 'splade');
  await mkdir(join(splade, '1_SpladePooling'), { recursive: true });
  await mkdir(base, { recursive: true });
  let seed = 1;
  const f32 = (shape: number[], std: number, mean = 0): SafetensorsTensor => ({
    dtype: 'F32',
    shape,
    data: randomNormal(shape.reduce((a, b) => a * b, 1), std, mean, seed++ * 2654435761),
  });
  const tensors: Record<string, SafetensorsTensor> = {
    'bert.embeddings.word_embeddings.weight': f32([V, H], 0.02),
    'bert.embeddings.position_embeddings.weight': f32([CONFIG.positions, H], 0.02),
    'bert.embeddings.token_type_embeddings.weight': f32([CONFIG.types, H], 0.02),
    'bert.embeddings.LayerNorm.weight': f32([H], 0.05, 1),
    'bert.embeddings.LayerNorm.bias': f32([H], 0.05),
  };
  for (let l = 0; l < L; l++) {
    const p = `bert.encoder.layer.${l}`;
    for (const m of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) {
      tensors[`${p}.${m}.weight`] = f32([H, H], 0.02);
      tensors[`${p}.${m}.bias`] = f32([H], 0.02);
    }
    tensors[`${p}.attention.output.LayerNorm.weight`] = f32([H], 0.05, 1);
    tensors[`${p}.attention.output.LayerNorm.bias`] = f32([H], 0.05);
    tensors[`${p}.intermediate.dense.weight`] = f32([I, H], 0.02);
    tensors[`${p}.intermediate.dense.bias`] = f32([I], 0.02);
    tensors[`${p}.output.dense.weight`] = f32([H, I], 0.02);
    tensors[`${p}.output.dense.bias`] = f32([H], 0.02);
    tensors[`${p}.output.LayerNorm.weight`] = f32([H], 0.05, 1);
    tensors[`${p}.output.LayerNorm.bias`] = f32([H], 0.05);
  }
  tensors['cls.predictions.transform.dense.weight'] = f32([H, H], 0.02);
  tensors['cls.predictions.transform.dense.bias'] = f32([H], 0.02);
  // A small head LayerNorm scale and a negative decoder bias keep the output sparse, as in a trained SPLADE model.
  tensors['cls.predictions.transform.LayerNorm.weight'] = f32([H], 0.02, 0.2);
  tensors['cls.predictions.transform.LayerNorm.bias'] = f32([H], 0.02);
  tensors['cls.predictions.bias'] = f32([V], 0.08, -0.35);
  await writeSafetensors(join(base, 'model.safetensors'), tensors);
  await writeFile(
    join(base, 'config.json'),
    JSON.stringify({
      architectures: ['BertForMaskedLM'],
      model_type: 'bert',
      vocab_size: V,
      hidden_size: H,
      num_hidden_layers: L,
      num_attention_heads: CONFIG.heads,
      intermediate_size: I,
      max_position_embeddings: CONFIG.positions,
      type_vocab_size: CONFIG.types,
      hidden_act: 'gelu',
      layer_norm_eps: 1e-12,
      tie_word_embeddings: true,
    }),
  );
  const adapter: Record<string, SafetensorsTensor> = {};
  for (let l = 0; l < L; l++) {
    for (const m of ['query', 'value']) {
      const p = `base_model.model.bert.encoder.layer.${l}.attention.self.${m}`;
      adapter[`${p}.lora_A.weight`] = f32([LORA_RANK, H], 0.02);
      adapter[`${p}.lora_B.weight`] = f32([H, LORA_RANK], 0.005);
    }
  }
  await writeSafetensors(join(splade, 'adapter_model.safetensors'), adapter);
  const json = (path: string, value: unknown) => writeFile(join(splade, path), JSON.stringify(value, null, 2));
  await json('adapter_config.json', { peft_type: 'LORA', r: LORA_RANK, lora_alpha: 128, target_modules: ['query', 'value'], base_model_name_or_path: '../base', bias: 'none' });
  await json('modules.json', [
    { idx: 0, name: '0', path: '', type: 'sentence_transformers.sparse_encoder.models.MLMTransformer' },
    { idx: 1, name: '1', path: '1_SpladePooling', type: 'sentence_transformers.sparse_encoder.models.SpladePooling' },
  ]);
  await json('sentence_bert_config.json', { max_seq_length: 512, do_lower_case: false });
  await json('1_SpladePooling/config.json', { pooling_strategy: 'max', activation_function: 'relu', word_embedding_dimension: V });
  await json('config_sentence_transformers.json', { model_type: 'SparseEncoder', prompts: { query: '', document: '' }, similarity_fn_name: 'dot' });
  const tokenizer = fixtureFolder();
  for (const file of ['tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) await cp(join(tokenizer, file), join(splade, file));
  return splade;
}

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

function randomBatch(batch: number, seq: number, seed: number) {
  let state = seed;
  const inputIds = new BigInt64Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      state = (state * 1103515245 + 12345) >>> 0;
      inputIds[b * seq + s] = s === 0 ? 101n : s === seq - 1 ? 102n : BigInt(1000 + (state % 29000));
    }
  }
  return { inputIds, attentionMask: new BigInt64Array(batch * seq).fill(1n), tokenTypeIds: new BigInt64Array(batch * seq), batchSize: batch, sequenceLength: seq };
}

const root = await mkdtemp(join(tmpdir(), 'splade-bench-'));
try {
  let t = performance.now();
  const folder = await writeModelFolder(root);
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
    const batch = randomBatch(batchSize, length, length);
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
