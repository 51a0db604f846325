/**
 * Serve mode's HTTP server: the built renderer and the API on 127.0.0.1 only.
 *
 * - `POST /api/<method>`, JSON body (at most 1 MiB), `Authorization: Bearer <token>` (or the page's cookie):
 *   `{ ok: true, result }` with 200, or `{ ok: false, error: { code, message } }` with a 4xx status for the caller's
 *   errors (5xx for the engine's own failures).
 * - `GET /api`: the methods with their parameters' JSON Schemas (zod's `toJSONSchema`) and the events.
 * - `GET /api/events` upgraded to a WebSocket: every event as `{ event, payload }` text frames.
 * - `GET /?token=…`: sets the token as an HttpOnly, SameSite=Strict cookie and redirects to `/`, so the page and
 *   its assets load with the cookie and the token leaves the address bar.
 *
 * Guarantees: without the right token, 401 and nothing else; a `Host` or `Origin` that is not this server, 403
 * (DNS rebinding); no CORS headers at all; every page response carries the strict Content-Security-Policy.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { EVENT_NAMES, METHOD_NAMES, events, methods, type EventName } from '../api/api-contract.js';
import type { Dispatch } from '../api/api-dispatch.js';
import { errorReply, type ApiReply } from '../api/api-reply.js';
import { parsePlainJson } from '../api/plain-json.js';
import type { EngineErrorCode } from '../engine/engine-error.js';
import { contentSecurityPolicy } from './content-security-policy.js';
import { createToken, originProblem, requestToken, tokenCookie, tokenMatches } from './serve-auth.js';
import { contentType, missingRendererPage, rendererBuilt, resolveStaticFile } from './static-files.js';

/** The only address serve mode listens on. */
export const SERVE_HOST = '127.0.0.1';

export interface ServeServerOptions {
  dispatch: Dispatch;
  /** Every event of the engine (and host), to forward to the WebSocket clients; returns an unsubscribe. */
  subscribe(listener: (event: EventName, payload: unknown) => void): () => void;
  rendererDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Must be 127.0.0.1 (anything else is refused with an error); present so that a caller's wish is checked, not ignored. */
  host?: string;
  /** Default: 256 random bits. */
  token?: string;
  maxBodyBytes?: number;
}

export interface ServeServer {
  /** `http://127.0.0.1:P/?token=…`: the one URL to open. */
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** HTTP status of a wire error: 4xx for what the caller can fix, 5xx for the engine's own trouble. */
export function httpStatusOf(code: EngineErrorCode): number {
  switch (code) {
    case 'invalid-request':
      return 400;
    case 'forbidden':
      return 403;
    case 'unknown-method':
    case 'not-found':
      return 404;
    case 'folder-unavailable':
      return 422;
    case 'read-only':
      return 409;
    case 'model-not-ready':
    case 'closed':
      return 503;
    case 'internal':
      return 500;
    default:
      return 502; // a Hub or index failure behind the engine
  }
}

function apiListing(): unknown {
  return {
    methods: METHOD_NAMES.map((name) => ({
      name,
      summary: methods[name].summary,
      host: methods[name].host,
      params: z.toJSONSchema(methods[name].params),
    })),
    events: EVENT_NAMES.map((name) => ({ name, summary: events[name].summary })),
  };
}

export async function startServeServer(options: ServeServerOptions): Promise<ServeServer> {
  const host = options.host ?? SERVE_HOST;
  if (host !== SERVE_HOST) {
    throw new Error(`serve mode listens on ${SERVE_HOST} only (asked for ${JSON.stringify(host)}): the API reads and opens your files, so it is never offered to other machines`);
  }
  const token = options.token ?? createToken();
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  let port = options.port ?? 0;
  let listing: string | null = null;

  const baseHeaders = (): Record<string, string> => ({
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'content-security-policy': contentSecurityPolicy({ connect: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`] }),
  });

  function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
    res.writeHead(status, { ...baseHeaders(), 'content-type': type, 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(body)), ...extra });
    res.end(body);
  }

  function sendReply(res: ServerResponse, reply: ApiReply): void {
    let body: string;
    try {
      body = JSON.stringify(reply);
    } catch (error) {
      reply = errorReply('internal', `the result cannot be sent as JSON: ${(error as Error).message}`);
      body = JSON.stringify(reply);
    }
    send(res, reply.ok ? 200 : httpStatusOf(reply.error.code), 'application/json; charset=utf-8', body);
  }

  function readBody(req: IncomingMessage): Promise<string | null> {
    return new Promise((resolve) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBody) return resolve(null);
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBody) {
          resolve(null);
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', () => resolve(null));
    });
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (pathname === '/api' || pathname === '/api/') {
      if (req.method !== 'GET') return sendReply(res, errorReply('invalid-request', 'GET /api lists the methods; calls are POST /api/<method>'));
      listing ??= JSON.stringify({ ok: true, result: apiListing() });
      return send(res, 200, 'application/json; charset=utf-8', listing);
    }
    const method = decodeURIComponentSafe(pathname.slice('/api/'.length));
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return send(res, 405, 'application/json; charset=utf-8', JSON.stringify(errorReply('invalid-request', `${req.method} is not allowed: call methods with POST /api/<method>`)));
    }
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      return send(res, 415, 'application/json; charset=utf-8', JSON.stringify(errorReply('invalid-request', 'the body must be JSON, sent as Content-Type: application/json')));
    }
    const text = await readBody(req);
    if (text === null) return send(res, 413, 'application/json; charset=utf-8', JSON.stringify(errorReply('invalid-request', `the body is larger than ${maxBody} bytes`)));
    const parsed = text.trim() === '' ? { ok: true as const, value: {} } : parsePlainJson(text);
    if (!parsed.ok) return sendReply(res, errorReply('invalid-request', parsed.problem));
    sendReply(res, await options.dispatch(method, parsed.value));
  }

  async function handleStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed', { allow: 'GET, HEAD' });
    if (!rendererBuilt(options.rendererDir)) return send(res, 503, 'text/html; charset=utf-8', missingRendererPage(options.rendererDir));
    const file = resolveStaticFile(options.rendererDir, url.pathname);
    if (!file) return send(res, 404, 'text/plain; charset=utf-8', 'not found');
    const body = await readFile(file);
    send(res, 200, contentType(file), req.method === 'HEAD' ? '' : body, { 'content-length': String(body.length) });
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const problem = originProblem(req.headers, port);
      if (problem) return send(res, 403, 'text/plain; charset=utf-8', `forbidden: ${problem}`);
      const given = requestToken(req.headers, url, req.method ?? 'GET', port);
      if (!tokenMatches(given, token)) return send(res, 401, 'text/plain; charset=utf-8', 'unauthorized: open the URL that `splade-search serve` printed');
      if (req.method === 'GET' && url.searchParams.has('token') && !url.pathname.startsWith('/api')) {
        url.searchParams.delete('token');
        res.writeHead(302, { ...baseHeaders(), location: url.pathname + url.search, 'set-cookie': tokenCookie(port, token), 'cache-control': 'no-store', 'content-length': '0' });
        return res.end();
      }
      if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return await handleApi(req, res, url.pathname);
      return await handleStatic(req, res, url);
    })().catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, 'application/json; charset=utf-8', JSON.stringify(errorReply('internal', (error as Error)?.message ?? String(error))));
      else res.destroy();
    });
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 15_000;

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const clients = new Set<WebSocket>();
  const unsubscribe = options.subscribe((event, payload) => {
    if (clients.size === 0) return;
    let frame: string;
    try {
      frame = JSON.stringify({ event, payload });
    } catch {
      return;
    }
    for (const client of clients) {
      // A client that does not read keeps at most ~1 MiB queued; progress is sent again soon anyway.
      if (client.readyState === client.OPEN && client.bufferedAmount < 1024 * 1024) client.send(frame);
    }
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (originProblem(req.headers, port)) return refuse('403 Forbidden');
    if (!tokenMatches(requestToken(req.headers, url, 'GET', port), token)) return refuse('401 Unauthorized');
    if (url.pathname !== '/api/events') return refuse('404 Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
      // The socket only pushes; anything a client sends is ignored.
      ws.on('message', () => {});
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as { port: number }).port;
  const origin = `http://${host}:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    async close() {
      unsubscribe();
      for (const client of clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
