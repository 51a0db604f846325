/** Messages between the encoder facade and its onnxruntime worker thread. */
import type { ProviderAttempt } from '../onnxruntime/index.js';
import type { Device, ExecutionChoice } from './execution-providers.js';
import type { SpladeModelFolder } from './model-folder.js';
import type { OnnxBuildOptions, PreparedOnnxModel } from './prepare-onnx-model.js';

export interface SessionSettings {
  device: Device;
  /** onnxruntime intra-op threads; default: available cores. */
  threads?: number;
  /** Let onnxruntime's threads spin while waiting for work (faster, but burns idle CPU). Default false. */
  allowSpinning?: boolean;
}

export type ToWorker =
  | { type: 'init'; model: SpladeModelFolder; build: OnnxBuildOptions; session: SessionSettings }
  | {
      type: 'run';
      id: number;
      inputIds: ArrayBuffer;
      attentionMask: ArrayBuffer;
      tokenTypeIds: ArrayBuffer;
      batchSize: number;
      sequenceLength: number;
    };

/**
 * A failure as it crosses the thread boundary: Error objects lose their class and own fields in postMessage, so the
 * coded errors (EncoderError, OnnxRuntimeError) travel as their name, code and the attempts of `no-usable-provider`.
 */
export interface WorkerFailure {
  name: string;
  message: string;
  code?: string;
  attempts?: ProviderAttempt[];
}

export type FromWorker =
  | { type: 'ready'; choice: ExecutionChoice; prepared: PreparedOnnxModel; inputNames: string[]; threads: number }
  | { type: 'init-error'; error: WorkerFailure }
  /** The graph's `[rows, width]` float32 output, transferred as it is: the facade packs it, so the worker can start the next batch at once. */
  | {
      type: 'result';
      id: number;
      dense: ArrayBuffer;
      rows: number;
      width: number;
      /** Milliseconds in onnxruntime's run. */
      runMs: number;
      /** Milliseconds between the previous run's end and this one's start while this batch was already queued. */
      overheadMs: number;
      /** Milliseconds the worker had no batch after the previous run ended (0 for the first run). */
      starvedMs: number;
    }
  | { type: 'run-error'; id: number; error: WorkerFailure };
