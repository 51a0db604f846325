/**
 * Messages between the main process and the engine process (Electron utilityProcess; child_process.fork in tests).
 * The engine process opens the Engine once, answers calls with `ApiReply`s keyed by id, and pushes every event.
 */
import type { EventName, EngineMethodName } from '../app/api/api-contract.js';
import type { ApiReply } from '../app/api/api-reply.js';
import type { WireError } from '../app/engine/engine-error.js';

/** What the engine process is opened with (plain JSON: it crosses a process boundary). */
export interface EngineProcessOptions {
  dataDir: string;
  model?: string;
  onnxCacheDir?: string;
  /** Fetch the model on first start (the app does; default true). */
  download?: boolean;
}

export type ToEngine =
  | { type: 'open'; options: EngineProcessOptions }
  | { type: 'call'; id: number; method: EngineMethodName; params: unknown }
  | { type: 'close' };

export type FromEngine =
  | { type: 'ready'; role: 'writer' | 'reader' }
  | { type: 'open-failed'; error: WireError }
  | { type: 'reply'; id: number; reply: ApiReply }
  | { type: 'event'; event: EventName; payload: unknown }
  | { type: 'closed' };

export function isFromEngine(message: unknown): message is FromEngine {
  return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string';
}
