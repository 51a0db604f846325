/** The encoder's worker thread: prepares the ONNX graph, owns the onnxruntime session, runs batches. */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { FromWorker, ToWorker } from './encoder-protocol.js';
import { createSessionWithFallback, probeBackends } from './execution-providers.js';
import { POOLED_LOGITS_OUTPUT } from './onnx/pooling-nodes.js';
import { prepareOnnxModel } from './prepare-onnx-model.js';
import type { SpladeModelFolder } from './model-folder.js';
import { activate, packDenseRows } from './sparse-vector.js';

const port = parentPort;
if (!port) throw new Error('encoder-worker.ts must run in a worker thread');

let session: ort.InferenceSession | undefined;
let model: SpladeModelFolder | undefined;
let outputName = POOLED_LOGITS_OUTPUT as string;
let queue: Promise<void> = Promise.resolve();

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function init(message: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  model = message.model;
  const prepared = await prepareOnnxModel(message.model, message.build);
  outputName = prepared.outputName;
  const threads = message.session.threads ?? availableParallelism();
  const externalData = await Promise.all(
    prepared.externalData.map(async ({ location, file }) => ({ path: location, data: new Uint8Array(await readFile(file)) })),
  );
  const options: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: message.session.allowSpinning ? '1' : '0' } } },
  };
  if (externalData.length > 0) options.externalData = externalData;
  const { session: created, choice } = await createSessionWithFallback(message.session.device, probeBackends(ort.listSupportedBackends), (providers) =>
    ort.InferenceSession.create(prepared.path, {
      ...options,
      executionProviders: providers,
      // DirectML needs these (onnxruntime's DML provider documentation).
      ...(providers[0] === 'dml' ? { enableMemPattern: false } : {}),
    }),
  );
  session = created;
  post({ type: 'ready', choice, prepared, inputNames: [...created.inputNames], threads });
}

async function run(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  if (!session || !model) throw new Error('the encoder session is not ready');
  const dims = [message.batchSize, message.sequenceLength];
  const available: Record<string, ArrayBuffer> = {
    input_ids: message.inputIds,
    attention_mask: message.attentionMask,
    token_type_ids: message.tokenTypeIds,
  };
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) {
    const data = available[name];
    if (!data) throw new Error(`the model's input "${name}" is not one the encoder can provide`);
    feeds[name] = new ort.Tensor('int64', new BigInt64Array(data), dims);
  }
  const results = await session.run(feeds, [outputName]);
  const output = results[outputName]!;
  const vocab = Number(output.dims[1]);
  const dense = output.data as Float32Array;
  const activation = model.pooling.activation;
  const packed = packDenseRows(dense, message.batchSize, vocab, outputName === POOLED_LOGITS_OUTPUT ? (x) => activate(x, activation) : undefined);
  output.dispose();
  const offsets = packed.offsets.buffer as ArrayBuffer;
  const indices = packed.indices.slice().buffer as ArrayBuffer;
  const values = packed.values.slice().buffer as ArrayBuffer;
  post({ type: 'result', id: message.id, offsets, indices, values }, [offsets, indices, values]);
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'init') {
    init(message).catch((error: unknown) => post({ type: 'init-error', message: (error as Error)?.message ?? String(error) }));
    return;
  }
  queue = queue.then(() => run(message).catch((error: unknown) => post({ type: 'run-error', id: message.id, message: (error as Error)?.message ?? String(error) })));
});
