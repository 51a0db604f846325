/**
 * The engine-wide error model: one closed set of codes that the API sends over the wire as
 * `{ code, message, details }`. Each layer keeps its own error class and code set (HubError, IndexError, ...);
 * this module names the union and turns any thrown value into a `WireError`.
 */
import { isHubError, type HubErrorCode } from '../hub/hub-error.js';
import type { IndexErrorCode } from '../index/index.js';

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

/** Every code a front end may see. */
export type EngineErrorCode = EngineOwnErrorCode | HubErrorCode | IndexErrorCode;

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

/** The wire form of anything thrown: coded errors keep their code; anything else is 'internal'. */
export function toWireError(error: unknown): WireError {
  if (isEngineError(error)) return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  if (isHubError(error)) return { code: error.code, message: error.message };
  const candidate = error as { name?: unknown; code?: unknown; message?: unknown } | null;
  if (candidate && candidate.name === 'IndexError' || (typeof candidate?.name === 'string' && /^Index\w*Error$/.test(candidate.name))) {
    return { code: candidate!.code as IndexErrorCode, message: String(candidate!.message) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message };
}
