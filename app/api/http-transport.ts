/**
 * The API over serve mode's HTTP: `POST /api/<method>` with a JSON body (a Bearer token when given; in the browser
 * the page's cookie carries it), and events from one WebSocket at `/api/events`, opened on the first subscription
 * and reopened after a drop while anyone listens. Renderer-safe: only `fetch` and a `WebSocket` constructor
 * (the browser's, or one passed in, e.g. the `ws` package's under Node 20).
 */
import type { EventName, MethodName } from './api-contract.js';
import type { ApiTransport } from './api-client.js';
import { errorReply, isApiReply, type ApiReply } from './api-reply.js';

/** The part of the WebSocket API used here (browser and `ws` alike). */
export interface WebSocketLike {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(): void;
}
export type WebSocketConstructorLike = new (url: string) => WebSocketLike;

export interface HttpTransportOptions {
  /** The server's origin, e.g. `http://127.0.0.1:8321`; default: the page's own origin. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer` and as the events socket's `?token=`; the browser's cookie suffices without it. */
  token?: string;
  fetch?: typeof fetch;
  WebSocket?: WebSocketConstructorLike;
  /** First delay before reopening a dropped event socket (doubles up to 10 s; default 500 ms). */
  reconnectMs?: number;
}

export interface HttpTransport extends ApiTransport {
  /** Resolves once the event socket is open (events emitted before that are not seen). */
  eventsConnected(): Promise<void>;
  close(): void;
}

export function createHttpTransport(options: HttpTransportOptions = {}): HttpTransport {
  const base = (options.baseUrl ?? (globalThis as { location?: { origin: string } }).location?.origin ?? '').replace(/\/+$/, '');
  if (!base) throw new TypeError('createHttpTransport needs a baseUrl outside a page');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const SocketClass = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket;
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let socket: WebSocketLike | null = null;
  let reconnectDelay = options.reconnectMs ?? 500;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  let connectedWaiters: (() => void)[] = [];
  let connected = false;

  const listening = () => [...listeners.values()].some((set) => set.size > 0);

  function openSocket(): void {
    if (socket || closed || !SocketClass) return;
    const url = new URL('/api/events', base.replace(/^http/, 'ws'));
    if (options.token) url.searchParams.set('token', options.token);
    const ws = new SocketClass(url.toString());
    socket = ws;
    ws.onopen = () => {
      connected = true;
      for (const resolve of connectedWaiters.splice(0)) resolve();
    };
    ws.onmessage = (message) => {
      reconnectDelay = options.reconnectMs ?? 500;
      let parsed: { event?: unknown; payload?: unknown };
      try {
        parsed = JSON.parse(String(message.data));
      } catch {
        return;
      }
      const set = listeners.get(parsed.event as EventName);
      if (set) for (const listener of [...set]) listener(parsed.payload);
    };
    ws.onerror = () => {};
    ws.onclose = () => {
      socket = null;
      connected = false;
      if (closed || !listening()) return;
      reconnectTimer = setTimeout(() => {
        reconnectTimer = null;
        if (listening()) openSocket();
      }, reconnectDelay);
      reconnectDelay = Math.min(reconnectDelay * 2, 10_000);
    };
  }

  return {
    async call(method: MethodName, params: unknown): Promise<ApiReply> {
      let response: Response;
      try {
        response = await doFetch(`${base}/api/${encodeURIComponent(method)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
          body: JSON.stringify(params ?? {}),
          credentials: 'same-origin',
        });
      } catch (error) {
        return errorReply('network', `${method}: the server at ${base} cannot be reached (${(error as Error).message})`);
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        return errorReply(response.status === 401 ? 'forbidden' : 'internal', `${method}: HTTP ${response.status} without an API reply`);
      }
      return isApiReply(body) ? body : errorReply('internal', `${method}: HTTP ${response.status} with a body that is not an API reply`);
    },
    eventsConnected() {
      return connected ? Promise.resolve() : new Promise((resolve) => connectedWaiters.push(resolve));
    },
    subscribe(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      openSocket();
      return () => {
        set.delete(listener);
        if (!listening()) {
          if (reconnectTimer) clearTimeout(reconnectTimer);
          reconnectTimer = null;
          socket?.close();
          socket = null;
          connected = false;
        }
      };
    },
    close() {
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      socket?.close();
      socket = null;
      connected = false;
      listeners.clear();
    },
  };
}
