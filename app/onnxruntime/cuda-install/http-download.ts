/** HTTP(S) GETs for the CUDA pack download: redirects, proxies from the environment, resumable downloads with size checks. */
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { openHttpRequest, proxyFor } from '../../util/http-request.js';
import { OnnxRuntimeError } from '../onnxruntime-error.js';

export interface HttpOptions {
  /** Read for HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY (either case). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** A proxy URL to use for every request; `null` for none; undefined: from `env`. */
  proxy?: string | null;
  /** Extra trusted certificates (PEM), e.g. a company's TLS-inspecting proxy or a test server. */
  ca?: string | Buffer;
  /** Fail when a connection is idle this long (default 60 s). */
  timeoutMs?: number;
  /** Redirects followed per request (default 10). */
  maxRedirects?: number;
}

/** The OnnxRuntimeError `download-failed` of a request that got an HTTP error status, too many redirects, or no connection; the message names the URL. */
export function downloadFailed(message: string, url: string, status?: number): OnnxRuntimeError {
  return new OnnxRuntimeError('download-failed', message, status === undefined ? { url } : { url, status });
}

const userAgent = 'splade-search (install-cuda)';

/** GETs `url` and parses JSON. A 404 resolves to `{status: 404}` with no body; other non-2xx statuses reject. */
export async function httpGetJson(url: string, options: HttpOptions = {}): Promise<{ status: number; url: string; body?: unknown }> {
  const { response, url: finalUrl } = await request(url, { Accept: 'application/json' }, options);
  const status = response.statusCode ?? 0;
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  if (status === 404) return { status, url: finalUrl };
  if (status < 200 || status >= 300) throw downloadFailed(`GET ${finalUrl} answered HTTP ${status}`, finalUrl, status);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return { status, url: finalUrl, body: JSON.parse(text) };
  } catch {
    const type = response.headers['content-type'] ?? 'no content type';
    throw downloadFailed(`GET ${finalUrl} did not return JSON (${type}): ${JSON.stringify(text.slice(0, 80))}`, finalUrl, status);
  }
}

export interface DownloadOptions extends HttpOptions {
  /** Tries per call; each retry resumes from the bytes already on disk (default 3). */
  attempts?: number;
  onProgress?: (received: number, total: number | undefined) => void;
  /** Called before each retry with the reason. */
  onRetry?: (reason: string, received: number) => void;
}

export interface DownloadResult {
  bytes: number;
  /** The URL the bytes came from, after redirects. */
  url: string;
  /** True when earlier bytes (from `destination + '.part'`) were kept and only the rest was fetched. */
  resumed: boolean;
}

/**
 * Downloads `url` to `destination` through `destination + '.part'`, renamed only when the byte count matches the
 * server's Content-Length / Content-Range total. An existing `.part` (an interrupted earlier run) is resumed with a
 * Range request; a server that ignores Range restarts from zero. A broken connection is retried (`attempts`); when
 * the tries are used up the `.part` file stays for the next run and the error says how far it got.
 */
export async function downloadFile(url: string, destination: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const part = `${destination}.part`;
  const attempts = Math.max(1, options.attempts ?? 3);
  let resumed = false;
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const have = await sizeOf(part);
    const { response, url: finalUrl } = await request(url, have > 0 ? { Range: `bytes=${have}-` } : {}, options);
    const status = response.statusCode ?? 0;
    let total: number | undefined;
    let flags: 'w' | 'a' = 'w';
    let start = 0;
    if (status === 416 && have > 0) {
      response.resume();
      const whole = /\/(\d+)\s*$/.exec(String(response.headers['content-range'] ?? ''));
      if (whole && Number(whole[1]) === have) {
        await rename(part, destination);
        return { bytes: have, url: finalUrl, resumed: true };
      }
      await rm(part, { force: true }); // the partial file does not fit the server's file: start over
      attempt--;
      continue;
    } else if (status === 206 && have > 0) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(response.headers['content-range'] ?? ''));
      if (!range || Number(range[1]) !== have) {
        response.resume();
        throw downloadFailed(`GET ${finalUrl}: the server answered range ${response.headers['content-range']} to a request for bytes ${have}-`, finalUrl, status);
      }
      flags = 'a';
      start = have;
      resumed = true;
      if (range[3] !== '*') total = Number(range[3]);
    } else if (status === 200) {
      const length = response.headers['content-length'];
      if (length !== undefined) total = Number(length);
    } else {
      response.resume();
      throw downloadFailed(`GET ${finalUrl} answered HTTP ${status}`, finalUrl, status);
    }
    let received = start;
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
      options.onProgress?.(received, total);
    });
    const streamError = await saveBody(response, part, flags);
    const size = await sizeOf(part);
    if (total === undefined ? !streamError : size === total) {
      await rename(part, destination);
      return { bytes: size, url: finalUrl, resumed };
    }
    if (total !== undefined && size > total) {
      await rm(part, { force: true });
      throw downloadFailed(`GET ${finalUrl}: received ${size} bytes, more than the announced ${total}; the partial file was deleted`, finalUrl);
    }
    lastError = `the connection broke after ${size} of ${total ?? 'an unknown number of'} bytes${streamError ? ` (${streamError.message})` : ''}`;
    if (attempt < attempts) options.onRetry?.(lastError, size);
  }
  throw downloadFailed(`Download of ${url} did not finish: ${lastError}. The ${await sizeOf(part)} bytes received are kept in ${part}; run the command again to resume.`, url);
}

/**
 * Appends (or writes) the response body to `path`. Unlike `pipeline`, a broken connection does not destroy the file
 * stream, so every byte received is flushed to disk and a later run can resume after it. Resolves with the error, if any.
 */
function saveBody(response: IncomingMessage, path: string, flags: 'w' | 'a'): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let failure: Error | undefined;
    const out = createWriteStream(path, { flags });
    response.on('error', (error) => (failure ??= error));
    response.on('aborted', () => (failure ??= new Error('aborted')));
    response.on('close', () => {
      response.unpipe(out);
      if (!out.writableEnded) out.end();
    });
    out.on('error', (error) => {
      failure ??= error;
      response.destroy();
      resolve(failure);
    });
    out.on('close', () => resolve(failure));
    response.pipe(out);
  });
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Sends a GET, following redirects; resolves with the final response (status not checked). */
async function request(url: string, headers: Record<string, string>, options: HttpOptions): Promise<{ response: IncomingMessage; url: string }> {
  const maxRedirects = options.maxRedirects ?? 10;
  let current = url;
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const response = await requestOnce(current, headers, options);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if ([301, 302, 303, 307, 308].includes(status) && location) {
      response.resume();
      current = new URL(location, current).href;
      continue;
    }
    return { response, url: current };
  }
  throw downloadFailed(`GET ${url}: more than ${maxRedirects} redirects (last: ${current})`, url);
}

async function requestOnce(url: string, headers: Record<string, string>, options: HttpOptions): Promise<IncomingMessage> {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw downloadFailed(`Cannot GET ${url}: only http and https URLs are supported`, url);
  }
  try {
    return await openHttpRequest(url, { headers: { 'User-Agent': userAgent, ...headers }, idleTimeoutMs: options.timeoutMs ?? 60_000, proxy: options.proxy, env: options.env, ca: options.ca });
  } catch (error) {
    const proxy = proxyFor(target, options);
    throw downloadFailed(`Cannot GET ${url}${proxy ? ` through the proxy ${proxy.origin}` : ''}: ${(error as Error).message}`, url);
  }
}
