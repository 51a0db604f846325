/**
 * The one place a call is answered, whatever carried it (Electron IPC, serve mode's HTTP, the engine process's
 * message port): check the method name against the contract, check the message is plain JSON, validate the
 * parameters with the method's schema, call the handler, and wrap its result or error as an `ApiReply`.
 * `dispatch` never throws and never rejects: every failure, including a handler's bug, becomes a typed error.
 * Renderer-safe (no Node imports), though only hosts use it.
 */
import { z } from 'zod';
import { toWireError } from '../engine/engine-error.js';
import {
  ENGINE_METHOD_NAMES,
  methods,
  type EngineMethodName,
  type EventName,
  type PayloadOf,
  type MethodName,
  type ResultOf,
  type ShellMethodName,
  type ValidParamsOf,
} from './api-contract.js';
import { errorReply, okReply, type ApiReply } from './api-reply.js';
import { plainJsonProblem } from './plain-json.js';

/** One function per method, taking validated parameters. */
export type ApiHandlers = { [M in MethodName]: (params: ValidParamsOf<M>) => Promise<ResultOf<M>> };
/** What the Engine implements (the `host: 'engine'` calls). */
export type EngineHandlers = Pick<ApiHandlers, EngineMethodName>;
/** What the process showing the UI implements (the `host: 'shell'` calls). */
export type ShellHandlers = Pick<ApiHandlers, ShellMethodName>;

/** What a host needs of the engine: its calls, its events, and closing it (the Engine class, or a proxy to its process). */
export type ApiEngine = EngineHandlers & {
  on<E extends EventName>(event: E, listener: (payload: PayloadOf<E>) => void): () => void;
  close(): Promise<void>;
};

export type Dispatch = (method: unknown, params: unknown) => Promise<ApiReply>;

export interface DispatchOptions {
  /** Told of every handler failure that became an 'internal' error (a bug), e.g. to log it with its stack. */
  onInternalError?: (method: MethodName, error: unknown) => void;
}

/** True when `name` is one of the contract's methods (own keys only: "constructor" or "__proto__" is not a method). */
export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}

/** The handlers of an engine-like object (the Engine, or a proxy to the engine process), bound to it. */
export function engineHandlers(engine: EngineHandlers): EngineHandlers {
  const handlers = {} as Record<EngineMethodName, unknown>;
  for (const name of ENGINE_METHOD_NAMES) {
    const fn = (engine as unknown as Record<string, unknown>)[name];
    if (typeof fn !== 'function') throw new TypeError(`the engine lacks the method "${name}" the API contract names`);
    handlers[name] = (fn as (p: unknown) => Promise<unknown>).bind(engine);
  }
  return handlers as EngineHandlers;
}

function describeIssues(method: string, error: z.ZodError): { message: string; details: Record<string, unknown> } {
  const issues = error.issues.slice(0, 10).map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message.slice(0, 300),
  }));
  const first = issues[0];
  const where = first && first.path ? `${first.path}: ` : '';
  return { message: `${method}: ${where}${first?.message ?? 'invalid parameters'}`, details: { issues } };
}

export function createDispatcher(handlers: ApiHandlers, options: DispatchOptions = {}): Dispatch {
  return async (method, params) => {
    try {
      if (!isMethodName(method)) {
        const shown = typeof method === 'string' ? JSON.stringify(method.slice(0, 80)) : `a ${typeof method}`;
        return errorReply('unknown-method', `unknown method ${shown}`);
      }
      const given = params === undefined ? {} : params;
      const problem = plainJsonProblem(given);
      if (problem !== null) return errorReply('invalid-request', `${method}: ${problem}`);
      const parsed = methods[method].params.safeParse(given);
      if (!parsed.success) {
        const { message, details } = describeIssues(method, parsed.error);
        return errorReply('invalid-request', message, details);
      }
      const handler = handlers[method] as (p: unknown) => Promise<unknown>;
      try {
        return okReply(await handler(parsed.data));
      } catch (error) {
        const wire = toWireError(error);
        if (wire.code === 'internal') options.onInternalError?.(method, error);
        return { ok: false, error: wire };
      }
    } catch (error) {
      // Only reachable through a bug above (e.g. a getter on a hostile object); still an answer, not a crash.
      return errorReply('internal', `dispatch failed: ${(error as Error)?.message ?? String(error)}`);
    }
  };
}
