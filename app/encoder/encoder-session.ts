/** The facade's handle on the onnxruntime worker: starts it, sends token batches, receives sparse rows. */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/start-worker.js';
import { OnnxRuntimeError, type RuntimeErrorCode } from '../onnxruntime/index.js';
import { EncoderError, type EncoderErrorCode } from './encoder-error.js';
import type { FromWorker, SessionSettings, ToWorker, WorkerFailure } from './encoder-protocol.js';
import type { ExecutionChoice } from './execution-providers.js';
import type { SpladeModelFolder } from './model-folder.js';
import { POOLED_LOGITS_OUTPUT } from './onnx/pooling-nodes.js';
import type { OnnxBuildOptions, PreparedOnnxModel } from './prepare-onnx-model.js';
import type { ActivationFunction } from './splade-pooling.js';
import { activate, packDenseRows, unpackRows, type SparseVector } from './sparse-vector.js';

/** A batch of token ids, padded to one length (the tokenizer's `TokenBatch`). */
export interface TokenIdBatch {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
  batchSize: number;
  sequenceLength: number;
}

/** The worker module: `encoder-worker.js` beside this file, unless a one-file bundle that contains it says otherwise. */
let workerEntry: URL | undefined;

/**
 * For one-file bundles (e.g. the GPU benchmark, test/bench/encoder-gpu.ts): the file to start the encoder worker
 * from, a module that runs `encoder-worker.ts` when loaded in a worker thread.
 */
export function setEncoderWorkerEntry(entry: URL): void {
  workerEntry = entry;
}

/** What the worker did so far (seconds). */
export interface WorkerStats {
  batches: number;
  /** In onnxruntime's run. */
  runSeconds: number;
  /** Between two runs while the next batch was already queued: the worker's own cost (posting a result). */
  overheadSeconds: number;
  /** Between two runs with no batch queued: the worker waiting for this thread (or for the next `encode` call). */
  starvedSeconds: number;
}

interface Pending {
  resolve(rows: SparseVector[]): void;
  reject(error: Error): void;
}

export class EncoderSession {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;
  private disposed = false;
  readonly stats: WorkerStats = { batches: 0, runSeconds: 0, overheadSeconds: 0, starvedSeconds: 0 };

  /** Applied here, on this thread, to each positive value of a `pooled_logits` output (undefined: final weights). */
  private readonly transform: ((x: number) => number) | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly choice: ExecutionChoice,
    readonly prepared: PreparedOnnxModel,
    readonly inputNames: string[],
    readonly threads: number,
    activation: ActivationFunction,
  ) {
    this.transform = prepared.outputName === POOLED_LOGITS_OUTPUT ? (x) => activate(x, activation) : undefined;
    worker.on('message', (message: FromWorker) => this.onMessage(message));
    worker.on('error', (error) => this.fail(new EncoderError('encode-failed', `the encoder worker failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => this.fail(new EncoderError('encode-failed', `the encoder worker exited (code ${code})`)));
  }

  /** Starts the worker, which builds or loads the graph and creates the session. */
  static async start(model: SpladeModelFolder, build: OnnxBuildOptions, session: SessionSettings): Promise<EncoderSession> {
    const worker = startWorker(workerEntry ?? new URL('./encoder-worker.js', import.meta.url));
    let onMessage: (message: FromWorker) => void = () => {};
    let onError: (error: Error) => void = () => {};
    let onExit: (code: number) => void = () => {};
    try {
      const ready = await new Promise<Extract<FromWorker, { type: 'ready' }>>((resolve, reject) => {
        onMessage = (message) => {
          if (message.type === 'ready') resolve(message);
          else if (message.type === 'init-error') reject(rebuildFailure(message.error));
        };
        onError = (error) => reject(new EncoderError('encode-failed', `the encoder worker failed during start-up: ${error.message}`, { cause: error }));
        onExit = (code) => reject(new EncoderError('encode-failed', `the encoder worker exited during start-up (code ${code})`));
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        const init: ToWorker = { type: 'init', model, build, session };
        worker.postMessage(init);
      });
      return new EncoderSession(worker, ready.choice, ready.prepared, ready.inputNames, ready.threads, model.pooling.activation);
    } catch (error) {
      await worker.terminate();
      throw error;
    } finally {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    }
  }

  /**
   * Runs one batch; the token arrays are transferred to the worker (unusable here afterwards). Batches queue in the
   * worker, which runs them back to back: send the next ones before this one resolves to keep the device busy.
   */
  run(batch: TokenIdBatch): Promise<SparseVector[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.disposed) return Promise.reject(new EncoderError('encoder-closed', 'the encoder has been disposed'));
    const id = this.nextId++;
    const buffers = [batch.inputIds, batch.attentionMask, batch.tokenTypeIds].map((a) =>
      a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? (a.buffer as ArrayBuffer) : (a.slice().buffer as ArrayBuffer),
    ) as [ArrayBuffer, ArrayBuffer, ArrayBuffer];
    const message: ToWorker = {
      type: 'run',
      id,
      inputIds: buffers[0],
      attentionMask: buffers[1],
      tokenTypeIds: buffers[2],
      batchSize: batch.batchSize,
      sequenceLength: batch.sequenceLength,
    };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(message, [...new Set(buffers)]);
    });
  }

  private onMessage(message: FromWorker): void {
    if (message.type !== 'result' && message.type !== 'run-error') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.type === 'run-error') pending.reject(rebuildFailure(message.error, 'encoding failed: '));
    else {
      this.stats.batches++;
      this.stats.runSeconds += message.runMs / 1000;
      this.stats.overheadSeconds += message.overheadMs / 1000;
      this.stats.starvedSeconds += message.starvedMs / 1000;
      // Packing (and the activation) happens here rather than in the worker, so that it overlaps the next batch.
      pending.resolve(unpackRows(packDenseRows(new Float32Array(message.dense), message.rows, message.width, this.transform)));
    }
  }

  private fail(error: Error): void {
    if (this.disposed) return;
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  /** Terminates the worker; pending runs are rejected. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const pending of this.pending.values()) pending.reject(new EncoderError('encoder-closed', 'the encoder has been disposed'));
    this.pending.clear();
    await this.worker.terminate();
  }
}

/**
 * The worker's failure as the error class it was thrown as: EncoderError and OnnxRuntimeError keep their code (and
 * attempts); anything else is a plain Error (an 'internal' error on the wire) at start-up, or `encode-failed` when
 * a batch failed (`runPrefix` given).
 */
function rebuildFailure(failure: WorkerFailure, runPrefix?: string): Error {
  if (failure.name === 'EncoderError' && failure.code) return new EncoderError(failure.code as EncoderErrorCode, failure.message);
  if (failure.name === 'OnnxRuntimeError' && failure.code) {
    return new OnnxRuntimeError(failure.code as RuntimeErrorCode, failure.message, failure.attempts ? { attempts: failure.attempts } : {});
  }
  if (runPrefix !== undefined) return new EncoderError('encode-failed', `${runPrefix}${failure.message}`);
  return new Error(failure.message);
}
