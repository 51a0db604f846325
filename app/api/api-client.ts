/**
 * The typed client: an `Api` object generated from the contract's method names over any transport that can send
 * one call and subscribe to one event. The renderer and the tests use it over Electron IPC (the preload's bridge)
 * and over serve mode's HTTP; nothing here names a method. Renderer-safe.
 */
import { EVENT_NAMES, METHOD_NAMES, type Api, type EventName, type MethodName, type PayloadOf } from './api-contract.js';
import { ApiError, isApiReply, type ApiReply } from './api-reply.js';

/** What a client needs from a carrier: one call answered with an `ApiReply`, and one event stream. */
export interface ApiTransport {
  /** Never rejects for an API error (that is an `{ ok: false }` reply); may reject when the carrier itself fails. */
  call(method: MethodName, params: unknown): Promise<ApiReply>;
  /** Calls `listener` with each payload of `event` until the returned function is called. */
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

export function createApiClient(transport: ApiTransport): Api {
  const api: Record<string, unknown> = {};
  for (const name of METHOD_NAMES) {
    api[name] = async (params: unknown) => {
      const reply: unknown = await transport.call(name, params ?? {});
      if (!isApiReply(reply)) throw new ApiError({ code: 'internal', message: `${name}: the transport answered something that is not an API reply` });
      if (!reply.ok) throw new ApiError(reply.error);
      return reply.result;
    };
  }
  api.on = <E extends EventName>(event: E, listener: (payload: PayloadOf<E>) => void): (() => void) => {
    if (!EVENT_NAMES.includes(event)) throw new ApiError({ code: 'invalid-request', message: `unknown event ${JSON.stringify(String(event))}` });
    return transport.subscribe(event, listener as (payload: unknown) => void);
  };
  return api as Api;
}
