/** The encoder's worker thread: prepares the ONNX graph, owns the onnxruntime session, runs batches. */
import { parentPort } from 'node:worker_threads';
import type { ProviderAttempt } from '../onnxruntime/index.js';
import type { FromWorker, ToWorker, WorkerFailure } from './encoder-protocol.js';
import type { SpladeModelFolder } from './model-folder.js';
import { openEncoderSession, runDenseBatch, type OpenedSession } from './onnx-runner.js';
import type { PreparedOnnxModel } from './prepare-onnx-model.js';

const port = parentPort;
if (!port) throw new Error('encoder-worker.ts must run in a worker thread');

let state: { opened: OpenedSession; model: SpladeModelFolder; prepared: PreparedOnnxModel } | undefined;
let queue: Promise<void> = Promise.resolve();
/** When the previous run ended (performance.now()), to report how long the worker waited for the next batch. */
let lastRunEnd: number | undefined;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function init(message: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  const opened = await openEncoderSession(message.model, message.build, message.session);
  const prepared = opened.prepared;
  state = { opened, model: message.model, prepared };
  post({ type: 'ready', choice: opened.choice, prepared, inputNames: [...opened.session.inputNames], threads: opened.threads });
}

async function run(message: Extract<ToWorker, { type: 'run' }>, arrived: number): Promise<void> {
  if (!state) throw new Error('the encoder session is not ready');
  const start = performance.now();
  const previous = lastRunEnd ?? arrived;
  const starvedMs = Math.max(0, arrived - previous);
  const overheadMs = start - Math.max(arrived, previous);
  const dense = await runDenseBatch(state.opened.ort, state.opened.session, state.prepared.outputName, {
    inputIds: new BigInt64Array(message.inputIds),
    attentionMask: new BigInt64Array(message.attentionMask),
    tokenTypeIds: new BigInt64Array(message.tokenTypeIds),
    batchSize: message.batchSize,
    sequenceLength: message.sequenceLength,
  });
  // Hand the output over as it is (no copy, no packing here): the next batch starts right away.
  lastRunEnd = performance.now();
  const buffer = dense.data.buffer as ArrayBuffer;
  post({ type: 'result', id: message.id, dense: buffer, rows: dense.rows, width: dense.width, runMs: lastRunEnd - start, overheadMs, starvedMs }, [buffer]);
}

function failure(error: unknown): WorkerFailure {
  const { name, message, code, attempts } = (error ?? {}) as { name?: unknown; message?: unknown; code?: unknown; attempts?: unknown };
  return {
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
    ...(Array.isArray(attempts) ? { attempts: attempts as ProviderAttempt[] } : {}),
  };
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'init') {
    init(message).catch((error: unknown) => post({ type: 'init-error', error: failure(error) }));
    return;
  }
  const arrived = performance.now();
  queue = queue.then(() => run(message, arrived).catch((error: unknown) => post({ type: 'run-error', id: message.id, error: failure(error) })));
});
