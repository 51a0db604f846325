/**
 * What every transport answers for a call: `{ ok: true, result }` or `{ ok: false, error: { code, message } }`, and
 * the error the typed client throws for the second. Errors travel as data, never as thrown values: Electron's
 * `invoke` and contextBridge keep only an error's message, HTTP keeps nothing but the body.
 * Renderer-safe: no Node imports.
 */
import type { EngineErrorCode, WireError } from '../engine/engine-error.js';

export type ApiReply<R = unknown> = { ok: true; result: R } | { ok: false; error: WireError };

export function okReply<R>(result: R): ApiReply<R> {
  return { ok: true, result };
}

export function errorReply(code: EngineErrorCode, message: string, details?: Record<string, unknown>): ApiReply<never> {
  return { ok: false, error: details ? { code, message, details } : { code, message } };
}

/** A call's failure as the client throws it: the wire error's code, message and details. */
export class ApiError extends Error {
  override name = 'ApiError' as const;
  readonly code: EngineErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(error: WireError) {
    super(error.message);
    this.code = error.code;
    this.details = error.details;
  }
}

/** True for an ApiError, also across realms (compares `name`), optionally of one code. */
export function isApiError(error: unknown, code?: EngineErrorCode): error is ApiError {
  const named = error instanceof ApiError || (error as { name?: unknown } | null)?.name === 'ApiError';
  return named && (code === undefined || (error as ApiError).code === code);
}

/** True when `value` has the shape of an ApiReply (what a client checks before trusting a transport's answer). */
export function isApiReply(value: unknown): value is ApiReply {
  if (typeof value !== 'object' || value === null) return false;
  const reply = value as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (reply.ok === true) return 'result' in reply;
  return reply.ok === false && typeof reply.error?.code === 'string' && typeof reply.error.message === 'string';
}
