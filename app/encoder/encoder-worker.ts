/** The encoder's worker thread: prepares the ONNX graph, owns the onnxruntime session, runs batches. */
import { parentPort } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './encoder-protocol.js';
import type { SpladeModelFolder } from './model-folder.js';
import { openOnnxSession, runSparseBatch, type OpenedSession } from './onnx-runner.js';
import { prepareOnnxModel, type PreparedOnnxModel } from './prepare-onnx-model.js';

const port = parentPort;
if (!port) throw new Error('encoder-worker.ts must run in a worker thread');

let state: { opened: OpenedSession; model: SpladeModelFolder; prepared: PreparedOnnxModel } | undefined;
let queue: Promise<void> = Promise.resolve();

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function init(message: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  const prepared = await prepareOnnxModel(message.model, message.build);
  const opened = await openOnnxSession(prepared, message.session);
  state = { opened, model: message.model, prepared };
  post({ type: 'ready', choice: opened.choice, prepared, inputNames: [...opened.session.inputNames], threads: opened.threads });
}

async function run(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  if (!state) throw new Error('the encoder session is not ready');
  const packed = await runSparseBatch(state.opened.ort, state.opened.session, state.prepared.outputName, state.model.pooling.activation, {
    inputIds: new BigInt64Array(message.inputIds),
    attentionMask: new BigInt64Array(message.attentionMask),
    tokenTypeIds: new BigInt64Array(message.tokenTypeIds),
    batchSize: message.batchSize,
    sequenceLength: message.sequenceLength,
  });
  // Copy the views into buffers of their own size, then hand the buffers over without another copy.
  const offsets = packed.offsets.buffer as ArrayBuffer;
  const indices = packed.indices.slice().buffer as ArrayBuffer;
  const values = packed.values.slice().buffer as ArrayBuffer;
  post({ type: 'result', id: message.id, offsets, indices, values }, [offsets, indices, values]);
}

const errorText = (error: unknown) => (error as Error)?.message ?? String(error);

port.on('message', (message: ToWorker) => {
  if (message.type === 'init') {
    init(message).catch((error: unknown) => post({ type: 'init-error', message: errorText(error) }));
    return;
  }
  queue = queue.then(() => run(message).catch((error: unknown) => post({ type: 'run-error', id: message.id, message: errorText(error) })));
});
