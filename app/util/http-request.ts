/**
 * One HTTP(S) request on node:http/node:https, directly or through a proxy (plain HTTP by absolute URL, HTTPS by a
 * CONNECT tunnel), with an idle timeout and cancellation. No redirects, no status handling: the model download
 * (app/hub) and the CUDA pack download (app/onnxruntime) each build their own policy on top.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import tls from 'node:tls';
import { urlToHttpOptions } from 'node:url';

export interface HttpRequestSettings {
  /** Default 'GET'. */
  method?: 'GET' | 'HEAD';
  headers: Record<string, string>;
  /** Milliseconds the connection may stay silent (connecting, waiting for headers, or between body chunks). */
  idleTimeoutMs: number;
  /** A proxy URL for this request; `null` for none; undefined: from `env` (see `proxyFor`). */
  proxy?: string | null | undefined;
  /** Read for HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY (either case). Default: process.env. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Extra trusted certificates (PEM), e.g. a company's TLS-inspecting proxy or a test server. */
  ca?: string | Buffer | undefined;
  /** Aborting destroys the request (and a proxy tunnel) with `abortError()`, by default the signal's reason. */
  signal?: AbortSignal | undefined;
  abortError?: (() => Error) | undefined;
}

/**
 * Sends one request and resolves with the response once its status line and headers arrive. Rejects with the
 * underlying error: a connection silent for `idleTimeoutMs` with code ETIMEDOUT (`no data from <host> for N s`), a
 * refused CONNECT with the proxy's status. The caller consumes or destroys the body.
 */
export function openHttpRequest(url: string, settings: HttpRequestSettings): Promise<IncomingMessage> {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return Promise.reject(new Error(`only http and https URLs are supported, not ${target.protocol}`));
  }
  const { signal } = settings;
  const aborted = () => settings.abortError?.() ?? (signal!.reason as Error);
  if (signal?.aborted) return Promise.reject(aborted());
  const method = settings.method ?? 'GET';
  const timeoutMs = settings.idleTimeoutMs;
  const proxy = proxyFor(target, settings);
  const ca = settings.ca ? { ca: settings.ca } : {};
  return new Promise<IncomingMessage>((resolve, reject) => {
    let current: http.ClientRequest | undefined;
    let tunnel: Socket | undefined;
    const onAbort = () => {
      tunnel?.destroy();
      current?.destroy(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => signal?.removeEventListener('abort', onAbort);
    const fail = (error: Error) => {
      cleanup();
      tunnel?.destroy();
      reject(error);
    };
    const silent = (request: http.ClientRequest, host: string) =>
      request.setTimeout(timeoutMs, () => {
        const error = new Error(`no data from ${host} for ${Math.round(timeoutMs / 1000)} s`) as NodeJS.ErrnoException;
        error.code = 'ETIMEDOUT';
        request.destroy(error);
      });
    const send = (options: https.RequestOptions, secure: boolean) => {
      const request = (secure ? https : http).request({ ...options, method }, (response) => {
        // A tunnel serves one request: close it with the response, or it would keep the process alive.
        response.once('close', () => {
          cleanup();
          tunnel?.destroy();
        });
        resolve(response);
      });
      current = request;
      silent(request, target.host);
      // `on`, not `once`: after the response, errors reach the body stream, and a second one must not go unhandled.
      request.on('error', fail);
      request.end();
    };
    const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
    if (!proxy) {
      send({ ...urlToHttpOptions(target), headers: settings.headers, ...ca }, target.protocol === 'https:');
      return;
    }
    const proxyAuth = proxy.username ? { 'Proxy-Authorization': `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}` } : {};
    const proxyPort = Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80));
    if (target.protocol === 'http:') {
      // Plain HTTP through a proxy: the absolute URL as the request target.
      send({ host: proxy.hostname, port: proxyPort, path: target.href, headers: { ...settings.headers, Host: target.host, ...proxyAuth } }, proxy.protocol === 'https:');
      return;
    }
    // HTTPS through a proxy: CONNECT host:port, then TLS to the target inside the tunnel.
    const connect = (proxy.protocol === 'https:' ? https : http).request({
      host: proxy.hostname,
      port: proxyPort,
      method: 'CONNECT',
      path: `${target.hostname}:${port}`,
      headers: { Host: `${target.hostname}:${port}`, ...proxyAuth },
      ...ca,
    });
    current = connect;
    connect.setTimeout(timeoutMs, () => connect.destroy(new Error(`no answer to CONNECT for ${timeoutMs / 1000} s`)));
    connect.on('error', fail);
    connect.on('connect', (response: IncomingMessage, socket: Socket) => {
      tunnel = socket;
      if (response.statusCode !== 200) {
        fail(new Error(`the proxy answered CONNECT with HTTP ${response.statusCode}`));
        return;
      }
      send(
        {
          host: target.hostname,
          port,
          path: `${target.pathname}${target.search}`,
          headers: settings.headers,
          agent: false,
          ...(isIP(target.hostname) ? {} : { servername: target.hostname }),
          ...ca,
          // the request's own TLS options (ca, servername) apply to the socket made inside the tunnel
          createConnection: (tlsOptions) => tls.connect({ ...(tlsOptions as tls.ConnectionOptions), socket }),
        },
        true,
      );
    });
    connect.end();
  });
}

/** The proxy for `target` from options or the environment, honouring NO_PROXY (`*`, host names, `.suffix`, `host:port`). */
export function proxyFor(target: URL, options: Pick<HttpRequestSettings, 'proxy' | 'env'> = {}): URL | undefined {
  if (options.proxy === null) return undefined;
  if (options.proxy) return new URL(options.proxy);
  const env = options.env ?? process.env;
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const value =
    target.protocol === 'https:'
      ? pick('https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY')
      : pick('http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY');
  if (!value) return undefined;
  const noProxy = (pick('no_proxy', 'NO_PROXY') ?? '').split(/[\s,]+/).filter(Boolean);
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const rule of noProxy) {
    if (rule === '*') return undefined;
    const [ruleHost = '', rulePort] = rule.toLowerCase().replace(/^\[|\](?=:|$)/g, '').split(/:(?=\d+$)/);
    if (rulePort && rulePort !== port) continue;
    const bare = ruleHost.replace(/^\*?\./, '');
    if (host === bare || host.endsWith(`.${bare}`)) return undefined;
  }
  return new URL(value.includes('://') ? value : `http://${value}`);
}
