/** Opens an onnxruntime session for a prepared SPLADE graph and runs token batches into packed sparse rows. */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { InferenceSession } from 'onnxruntime-node';
import { createSessionWithFallback, loadOnnxRuntime, planExecutionProviders, type OnnxRuntimeModule } from '../onnxruntime/index.js';
import type { SessionSettings } from './encoder-protocol.js';
import { describeProviderChoice, type ProviderChoice } from './execution-providers.js';
import { POOLED_LOGITS_OUTPUT } from './onnx/pooling-nodes.js';
import type { PreparedOnnxModel } from './prepare-onnx-model.js';
import type { ActivationFunction } from './splade-pooling.js';
import { activate, packDenseRows, type PackedSparseRows } from './sparse-vector.js';

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
 * Loads onnxruntime (the CUDA pack's copy when installed, else the bundled one), plans the providers for the device
 * option and creates the session on the first that works, after a one-text smoke run on GPU providers.
 */
export async function openOnnxSession(prepared: PreparedOnnxModel, settings: SessionSettings): Promise<OpenedSession> {
  const { ort, description } = await loadOnnxRuntime();
  const options = encoderSessionOptions(settings);
  if (prepared.externalData.length > 0) {
    options.externalData = await Promise.all(
      prepared.externalData.map(async ({ location, file }) => ({ path: location, data: new Uint8Array(await readFile(file)) })),
    );
  }
  const plan = await planExecutionProviders(settings.device);
  const result = await createSessionWithFallback(ort, prepared.path, plan, options, {
    smokeTest: async (session, provider) => {
      if (provider === 'cpu') return;
      const rows = await runSparseBatch(ort, session, prepared.outputName, 'relu', smokeBatch());
      if (rows.offsets.length !== 2) throw new Error(`the smoke run returned ${rows.offsets.length - 1} rows instead of 1`);
    },
  });
  return { ort, session: result.session, choice: describeProviderChoice(plan, result.attempts, result.provider, description), threads: options.intraOpNumThreads };
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
  const dims = [batch.batchSize, batch.sequenceLength];
  const available: Record<string, BigInt64Array> = {
    input_ids: batch.inputIds,
    attention_mask: batch.attentionMask,
    token_type_ids: batch.tokenTypeIds,
  };
  const feeds: Record<string, InstanceType<OnnxRuntimeModule['Tensor']>> = {};
  for (const name of session.inputNames) {
    const data = available[name];
    if (!data) throw new Error(`the model's input "${name}" is not one the encoder can provide`);
    feeds[name] = new ort.Tensor('int64', data, dims);
  }
  const results = await session.run(feeds, [outputName]);
  const output = results[outputName]!;
  const packed = packDenseRows(
    output.data as Float32Array,
    batch.batchSize,
    Number(output.dims[1]),
    outputName === POOLED_LOGITS_OUTPUT ? (x) => activate(x, activation) : undefined,
  );
  output.dispose();
  return packed;
}
