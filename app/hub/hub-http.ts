/** HTTP for the Hub on app/util/http-request: one request at a time, explicit redirects, idle timeouts, retries with backoff. */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { openHttpRequest } from '../util/http-request.js';
import { HubError } from './hub-error.js';

export interface HttpRequestOptions {
  method: 'GET' | 'HEAD';
  url: string;
  headers: Record<string, string>;
  /** Milliseconds the connection may stay silent (connecting, waiting for headers, or between body chunks). */
  idleTimeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Where proxy settings are read from (see app/util/http-request's `proxyFor`); undefined: no proxy. */
  proxyEnv?: NodeJS.ProcessEnv | undefined;
}

/** A response whose status line arrived; `body` must be consumed or destroyed by the caller. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  url: string;
  body: IncomingMessage;
}

/** A non-2xx answer, kept with its headers (the Hub explains 404s in `X-Error-Code`). */
export class HttpStatusError extends Error {
  override name = 'HttpStatusError' as const;
  constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    readonly url: string,
  ) {
    super(`HTTP ${status} for ${url}${headerText(headers, 'x-error-message') ? `: ${headerText(headers, 'x-error-message')}` : ''}`);
  }
}

/** One header as a string (first value of a repeated header). */
export function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Sends one request and resolves when the status line and headers arrive; no redirect is followed. */
export async function sendRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal);
  const { protocol } = new URL(options.url);
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new HubError('bad-response', `Cannot download ${options.url}: only http and https URLs are supported`);
  }
  const body = await openHttpRequest(options.url, {
    method: options.method,
    headers: options.headers,
    idleTimeoutMs: options.idleTimeoutMs,
    ...(options.proxyEnv ? { env: options.proxyEnv } : { proxy: null }),
    signal,
    abortError: () => abortError(signal!),
  });
  return { status: body.statusCode ?? 0, headers: body.headers, url: options.url, body };
}

/** The HubError for a cancelled download. */
export function abortError(signal: AbortSignal): HubError {
  return new HubError('aborted', 'The model download was cancelled', { cause: signal.reason });
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** True for failures of the connection itself (no HTTP answer): the Hub may be unreachable, or the transfer broke. */
export function isNetworkError(error: unknown): boolean {
  const err = error as NodeJS.ErrnoException | null;
  if (!err || typeof err !== 'object') return false;
  if (err.code !== undefined && TRANSIENT_CODES.has(err.code)) return true;
  return err.message === 'aborted' || err.message === 'socket hang up';
}

/** HTTP statuses worth another try: rate limit and server-side failures. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** Network errors and transient statuses: what a retry may fix (not a host name that does not resolve: ENOTFOUND is final, EAI_AGAIN is not). */
export function isTransient(error: unknown): boolean {
  if ((error as NodeJS.ErrnoException | null)?.code === 'ENOTFOUND') return false;
  return isNetworkError(error) || (error instanceof HttpStatusError && isTransientStatus(error.status));
}

/** How often and how patiently to retry transient failures. */
export interface RetryPolicy {
  /** Further attempts after the first (default 4). */
  retries: number;
  /** First wait in milliseconds, doubled each time (default 500). */
  baseDelayMs: number;
  /** Longest wait in milliseconds (default 8000). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 500, maxDelayMs: 8000 };

/** Runs `attempt`, retrying transient failures (see `isTransient`) with exponential backoff. */
export async function withRetries<T>(
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: (attemptNumber: number) => Promise<T>,
): Promise<T> {
  for (let attemptNumber = 0; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (attemptNumber >= policy.retries || !isTransient(error) || signal?.aborted) throw error;
      const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attemptNumber);
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        throw abortError(signal!);
      }
    }
  }
}

/** Reads a whole (small) response body. */
export async function readBody(response: HttpResponse, limitBytes = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response.body) {
    length += (chunk as Buffer).length;
    if (length > limitBytes) {
      response.body.destroy();
      throw new HubError('bad-response', `The answer from ${response.url} exceeds ${limitBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A Location with a scheme or `//host`: a redirect to another place, not a path on the same server. */
function isAbsoluteLocation(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(location) || location.startsWith('//');
}

/** Whether two URLs share scheme, host and port (a redirect elsewhere must not carry the token). */
export function sameOrigin(a: string, b: string): boolean {
  return new URL(a).origin === new URL(b).origin;
}

/**
 * GET or HEAD that follows redirects. With `relativeOnly`, only redirects whose Location has no host are followed
 * (huggingface_hub's `follow_relative_redirects`, used for HEAD so that a renamed repository is followed but an
 * LFS redirect to the CDN is returned). The Authorization header is dropped once the URL leaves the first origin.
 */
export async function requestFollowingRedirects(
  options: HttpRequestOptions & { relativeOnly?: boolean; maxRedirects?: number },
): Promise<HttpResponse> {
  let url = options.url;
  let headers = options.headers;
  for (let hop = 0; ; hop++) {
    const response = await sendRequest({ ...options, url, headers });
    const location = headerText(response.headers, 'location');
    if (response.status < 300 || response.status >= 400 || location === undefined) return response;
    const target = new URL(location, url).toString();
    if (options.relativeOnly && isAbsoluteLocation(location)) return response;
    response.body.resume();
    if (hop >= (options.maxRedirects ?? 10)) {
      throw new HubError('bad-response', `Too many redirects from ${options.url}`);
    }
    if (!sameOrigin(target, options.url)) {
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
    }
    url = target;
  }
}
