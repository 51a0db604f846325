/** Opens an onnxruntime session for a prepared SPLADE graph and runs token batches into packed sparse rows. */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import type { SessionSettings } from './encoder-protocol.js';
import { createSessionWithFallback, probeBackends, type ProviderChoice } from './execution-providers.js';
import { POOLED_LOGITS_OUTPUT } from './onnx/pooling-nodes.js';
import type { PreparedOnnxModel } from './prepare-onnx-model.js';
import type { ActivationFunction } from './splade-pooling.js';
import { activate, packDenseRows, type PackedSparseRows } from './sparse-vector.js';

export interface OpenedSession {
  session: ort.InferenceSession;
  choice: ProviderChoice;
  threads: number;
}

/** The session options the encoder uses (also used by the benchmark's MatMul reference). */
export function encoderSessionOptions(settings: SessionSettings): ort.InferenceSession.SessionOptions & { intraOpNumThreads: number } {
  return {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: settings.threads ?? availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: settings.allowSpinning ? '1' : '0' } } },
  };
}

/** Creates the session on the requested device, falling back to the CPU (see execution-providers.ts). */
export async function openOnnxSession(prepared: PreparedOnnxModel, settings: SessionSettings): Promise<OpenedSession> {
  const options = encoderSessionOptions(settings);
  if (prepared.externalData.length > 0) {
    options.externalData = await Promise.all(
      prepared.externalData.map(async ({ location, file }) => ({ path: location, data: new Uint8Array(await readFile(file)) })),
    );
  }
  const { session, choice } = await createSessionWithFallback(settings.device, probeBackends(ort.listSupportedBackends), (providers) =>
    ort.InferenceSession.create(prepared.path, {
      ...options,
      executionProviders: providers,
      // DirectML needs memory patterns off (onnxruntime's DML provider documentation).
      ...(providers[0] === 'dml' ? { enableMemPattern: false } : {}),
    }),
  );
  return { session, choice, threads: options.intraOpNumThreads };
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
  session: ort.InferenceSession,
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
  const feeds: Record<string, ort.Tensor> = {};
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
