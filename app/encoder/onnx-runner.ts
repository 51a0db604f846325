/**
 * Opens an onnxruntime session for a SPLADE model, with the graph shaped for each provider it tries, and runs token
 * batches into dense `[batch, vocab]` outputs or packed sparse rows.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { InferenceSession } from 'onnxruntime-node';
import {
  createSessionWithFallback,
  loadOnnxRuntime,
  isOnnxRuntimeError,
  noUsableProvider,
  planExecutionProviders,
  type ExecutionProviderName,
  type OnnxRuntimeModule,
  type PlanStep,
  type ProviderAttempt,
} from '../onnxruntime/index.js';
import type { SessionSettings } from './encoder-protocol.js';
import { describeProviderChoice, type ExecutionChoice, type ProviderChoice } from './execution-providers.js';
import type { SpladeModelFolder } from './model-folder.js';
import type { GraphTarget } from './onnx/bert-graph.js';
import { POOLED_LOGITS_OUTPUT } from './onnx/pooling-nodes.js';
import type { Precision } from './precision.js';
import { prepareOnnxModel, type OnnxBuildOptions, type PreparedOnnxModel } from './prepare-onnx-model.js';
import type { ActivationFunction } from './splade-pooling.js';
import { activate, packDenseRows, type PackedSparseRows } from './sparse-vector.js';
import { EncoderError } from './encoder-error.js';

export interface OpenedSession {
  /** The onnxruntime-node module the session belongs to (bundled or the CUDA pack): tensors must come from it. */
  ort: OnnxRuntimeModule;
  session: InferenceSession;
  choice: ProviderChoice;
  threads: number;
}

/** The session options the encoder uses (also used by the benchmark's MatMul reference). */
export function encoderSessionOptions(settings: Pick<SessionSettings, 'threads' | 'allowSpinning'>): InferenceSession.SessionOptions & { intraOpNumThreads: number } {
  return {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: settings.threads ?? availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: settings.allowSpinning ? '1' : '0' } } },
  };
}

/**
 * The graph form (target and precision) for a provider, unless the build options fix them. Precision 'auto' (no
 * precision given): float16 on WebGPU, whose float32 graph is slower (H200, 32 x 256: fp32 335, fp16 452
 * sequences/s); float32 on every other provider (the CPU has no float16 arithmetic; CUDA, DirectML and CoreML take
 * the CPU form, in float32 until float16 is measured there). 'int8' exists for the CPU provider only.
 */
export function graphFormFor(provider: ExecutionProviderName, build: OnnxBuildOptions): { target: GraphTarget; precision: Precision } {
  if (build.precision === 'int8' && provider !== 'cpu') throw new EncoderError('precision-unsupported', `precision int8 runs on the CPU provider only, not on ${provider} (use device cpu)`);
  const target = build.target ?? (provider === 'webgpu' ? 'webgpu' : 'cpu');
  return { target, precision: build.precision ?? (target === 'webgpu' ? 'fp16' : 'fp32') };
}

/**
 * Loads onnxruntime (the CUDA pack's copy when installed, else the bundled one), plans the providers for the device
 * option and creates the session on the first that works, after a one-text smoke run on GPU providers. Each provider
 * gets the graph shaped for it (`graphFormFor`: WebGPU's in float16 with its own attention form; the others the CPU
 * form in float32), built or taken from the cache only when that provider is tried.
 */
export async function openEncoderSession(
  model: SpladeModelFolder,
  build: OnnxBuildOptions,
  settings: SessionSettings,
): Promise<OpenedSession & { prepared: PreparedOnnxModel; choice: ExecutionChoice }> {
  const { ort, description } = await loadOnnxRuntime();
  const plan = await planExecutionProviders(settings.device);
  // Consecutive providers that take the same graph are tried with one prepared file.
  const groups: Array<{ key: string; steps: PlanStep[]; build: OnnxBuildOptions }> = [];
  for (const step of plan.steps.filter((s) => s.use)) {
    const form = graphFormFor(step.provider, build);
    const key = `${form.target}/${form.precision}`;
    const last = groups[groups.length - 1];
    if (last?.key === key) last.steps.push(step);
    else groups.push({ key, steps: [step], build: { ...build, ...form } });
  }
  const attempts: ProviderAttempt[] = [];
  for (const group of groups) {
    const prepared = await prepareOnnxModel(model, group.build);
    const options = await sessionOptionsFor(prepared, settings);
    try {
      const result = await createSessionWithFallback(ort, prepared.path, { steps: group.steps }, options, {
        smokeTest: (session, provider) => smokeTest(ort, session, prepared, provider),
      });
      attempts.push(...result.attempts);
      const choice: ExecutionChoice = { ...describeProviderChoice(plan, attempts, result.provider, description), precision: group.build.precision!, graphTarget: group.build.target! };
      return { ort, session: result.session, choice, threads: options.intraOpNumThreads, prepared };
    } catch (error) {
      if (!isOnnxRuntimeError(error, 'no-usable-provider')) throw error;
      attempts.push(...error.attempts);
    }
  }
  throw noUsableProvider(attempts, model.folder);
}

/**
 * Opens a session for an already prepared graph (one graph for every provider of the plan): what benchmarks of a
 * given graph use. The encoder itself uses `openEncoderSession`.
 */
export async function openOnnxSession(prepared: PreparedOnnxModel, settings: SessionSettings): Promise<OpenedSession> {
  const { ort, description } = await loadOnnxRuntime();
  const options = await sessionOptionsFor(prepared, settings);
  const plan = await planExecutionProviders(settings.device);
  const result = await createSessionWithFallback(ort, prepared.path, plan, options, {
    smokeTest: (session, provider) => smokeTest(ort, session, prepared, provider),
  });
  return { ort, session: result.session, choice: describeProviderChoice(plan, result.attempts, result.provider, description), threads: options.intraOpNumThreads };
}

async function sessionOptionsFor(prepared: PreparedOnnxModel, settings: SessionSettings) {
  const options = encoderSessionOptions(settings);
  if (prepared.externalData.length > 0) {
    options.externalData = await Promise.all(
      prepared.externalData.map(async ({ location, file }) => ({ path: location, data: new Uint8Array(await readFile(file)) })),
    );
  }
  return options;
}

async function smokeTest(ort: OnnxRuntimeModule, session: InferenceSession, prepared: PreparedOnnxModel, provider: ExecutionProviderName): Promise<void> {
  if (provider === 'cpu') return;
  const rows = await runSparseBatch(ort, session, prepared.outputName, 'relu', smokeBatch());
  if (rows.offsets.length !== 2) throw new Error(`the smoke run returned ${rows.offsets.length - 1} rows instead of 1`);
}

function smokeBatch(): Int64Batch {
  return { inputIds: BigInt64Array.from([101n, 102n]), attentionMask: BigInt64Array.from([1n, 1n]), tokenTypeIds: new BigInt64Array(2), batchSize: 1, sequenceLength: 2 };
}

export interface Int64Batch {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
  batchSize: number;
  sequenceLength: number;
}

/** One batch's output: `[rows, width]` float32, row-major, in a buffer of its own (transferable). */
export interface DenseRows {
  data: Float32Array;
  rows: number;
  width: number;
}

/**
 * Runs one batch and returns its sparse rows: for `pooled_logits` the activation is applied to every positive
 * value here (full-precision log1p); `sparse_weights` are final already.
 */
export async function runSparseBatch(
  ort: OnnxRuntimeModule,
  session: InferenceSession,
  outputName: string,
  activation: ActivationFunction,
  batch: Int64Batch,
): Promise<PackedSparseRows> {
  return packOutput(await runDenseBatch(ort, session, outputName, batch), outputName, activation);
}

/** Sparse rows of a dense output: the activation applied to `pooled_logits`, `sparse_weights` kept as they are. */
export function packOutput(dense: DenseRows, outputName: string, activation: ActivationFunction): PackedSparseRows {
  return packDenseRows(dense.data, dense.rows, dense.width, outputName === POOLED_LOGITS_OUTPUT ? (x) => activate(x, activation) : undefined);
}

/** Each input's element type, read once per session: the WebGPU graph takes int32 ids and mask, the others int64. */
const inputTypes = new WeakMap<InferenceSession, Map<string, string>>();

function inputTypesOf(session: InferenceSession): Map<string, string> {
  let types = inputTypes.get(session);
  if (!types) {
    types = new Map(session.inputMetadata.map((m) => [m.name, m.isTensor ? m.type : 'not a tensor']));
    inputTypes.set(session, types);
  }
  return types;
}

/** Token ids (< 2^31) as int32. */
function toInt32(data: BigInt64Array): Int32Array {
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]!);
  return out;
}

/** Runs one batch and returns the graph's `[batch, vocab]` output as it is. */
export async function runDenseBatch(ort: OnnxRuntimeModule, session: InferenceSession, outputName: string, batch: Int64Batch): Promise<DenseRows> {
  const dims = [batch.batchSize, batch.sequenceLength];
  const available: Record<string, BigInt64Array> = {
    input_ids: batch.inputIds,
    attention_mask: batch.attentionMask,
    token_type_ids: batch.tokenTypeIds,
  };
  const types = inputTypesOf(session);
  const feeds: Record<string, InstanceType<OnnxRuntimeModule['Tensor']>> = {};
  for (const name of session.inputNames) {
    const data = available[name];
    if (!data) throw new EncoderError('model-unsupported', `the model's input "${name}" is not one the encoder can provide`);
    const type = types.get(name) ?? 'int64';
    if (type === 'int64') feeds[name] = new ort.Tensor('int64', data, dims);
    else if (type === 'int32') feeds[name] = new ort.Tensor('int32', toInt32(data), dims);
    else throw new EncoderError('model-unsupported', `the model's input "${name}" has type ${type}; the encoder provides int64 or int32 token ids`);
  }
  const results = await session.run(feeds, [outputName]);
  const output = results[outputName]!;
  let data = output.data as Float32Array;
  // onnxruntime-node gives each output an ArrayBuffer of its own; copy only if that ever changes.
  if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength) data = data.slice();
  return { data, rows: batch.batchSize, width: Number(output.dims[1]) };
}
