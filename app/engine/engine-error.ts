/**
 * The engine-wide error model: one closed set of codes that the API sends over the wire as
 * `{ code, message, details }`. Each layer keeps its own error class and code set (HubError, IndexError,
 * EncoderError, OnnxRuntimeError), each code documented there with what the user should do; this module names the
 * union and turns any thrown value into a `WireError`.
 */
// The layers' error modules themselves rather than their index.ts: they import nothing heavy, so converting an
// error never loads onnxruntime, SQLite or a worker.
import { isEncoderError, type EncoderErrorCode } from '../encoder/encoder-error.js';
import { isHubError, type HubErrorCode } from '../hub/hub-error.js';
import { IndexError, type IndexErrorCode } from '../index/index-errors.js';
import { isOnnxRuntimeError, type RuntimeErrorCode } from '../onnxruntime/onnxruntime-error.js';

/** Codes the engine itself (and the API around it) raises. What the UI should say is on each member. */
export type EngineOwnErrorCode =
  /** The request does not fit the API's schema (wrong types, unknown fields, values out of range): a bug in the caller. Details name the field. */
  | 'invalid-request'
  /** The method does not exist. */
  | 'unknown-method'
  /** A path, passage or folder the request names is not known to the index (open/reveal of unindexed paths too): refresh the view. */
  | 'not-found'
  /** The folder cannot be watched: it does not exist, is not a folder, or cannot be read. Say which, offer another. */
  | 'folder-unavailable'
  /** The model is not loaded yet (downloading or loading): show progress and retry when status says ready. */
  | 'model-not-ready'
  /** This process only reads: another process (CLI `watch` or the app) writes this data folder. Say which to close. */
  | 'read-only'
  /** The engine was closed. */
  | 'closed'
  /** The caller is not allowed (wrong token, foreign origin, foreign sender). */
  | 'forbidden'
  /** A bug: anything not thrown on purpose. The message is the original one; report it. */
  | 'internal';

/** Every code a front end may see: the engine's own and those of each layer (see each layer's error module). */
export type EngineErrorCode = EngineOwnErrorCode | HubErrorCode | IndexErrorCode | EncoderErrorCode | RuntimeErrorCode;

/** What crosses IPC and HTTP. `details` is plain JSON. */
export interface WireError {
  code: EngineErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class EngineError extends Error {
  override name = 'EngineError' as const;
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for an EngineError (also across realms), optionally of one code. */
export function isEngineError(error: unknown, code?: EngineErrorCode): error is EngineError {
  const named = error instanceof EngineError || (error as { name?: unknown } | null)?.name === 'EngineError';
  return named && (code === undefined || (error as EngineError).code === code);
}

/**
 * The index's codes, kept complete by the compiler (adding a code to IndexErrorCode fails here until it is listed).
 * With the class names below, this recognises an index error from another realm without trusting any object that
 * merely has a `name` ending in "Error" and a string `code` (a Node fs error has `code: 'ENOENT'`).
 */
const INDEX_CODES = {
  'invalid-vector': true,
  'invalid-argument': true,
  'corrupt-index': true,
  'index-locked': true,
  'index-closed': true,
  'format-unsupported': true,
  'commit-failed': true,
} satisfies Record<IndexErrorCode, true>;
const INDEX_ERROR_NAMES = new Set(['IndexError', 'InvalidVectorError', 'IndexCorruptError', 'IndexLockedError']);

function isIndexFamily(error: unknown): error is { code: IndexErrorCode; message: string } {
  if (error instanceof IndexError) return true;
  const candidate = error as { name?: unknown; code?: unknown; message?: unknown } | null;
  return (
    typeof candidate?.name === 'string' &&
    INDEX_ERROR_NAMES.has(candidate.name) &&
    typeof candidate.code === 'string' &&
    Object.hasOwn(INDEX_CODES, candidate.code) &&
    typeof candidate.message === 'string'
  );
}

/** The wire form of anything thrown: coded errors keep their code (and plain-JSON details); anything else is 'internal'. */
export function toWireError(error: unknown): WireError {
  if (isEngineError(error)) return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  if (isHubError(error)) return { code: error.code, message: error.message };
  if (isEncoderError(error)) return { code: error.code, message: error.message };
  if (isOnnxRuntimeError(error)) {
    const details: Record<string, unknown> = {};
    if (error.attempts?.length) details.attempts = error.attempts.map((a) => ({ ...a }));
    if (error.url !== undefined) details.url = error.url;
    if (error.status !== undefined) details.status = error.status;
    return { code: error.code, message: error.message, ...(Object.keys(details).length ? { details } : {}) };
  }
  if (isIndexFamily(error)) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message };
}
