/** Messages between the encoder facade and its onnxruntime worker thread. */
import type { Device, ProviderChoice } from './execution-providers.js';
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

export type FromWorker =
  | { type: 'ready'; choice: ProviderChoice; prepared: PreparedOnnxModel; inputNames: string[]; threads: number }
  | { type: 'init-error'; message: string }
  | { type: 'result'; id: number; offsets: ArrayBuffer; indices: ArrayBuffer; values: ArrayBuffer }
  | { type: 'run-error'; id: number; message: string };
