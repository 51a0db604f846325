/**
 * The renderer is loaded from `app://renderer/…`, a privileged custom scheme answered from the built renderer
 * folder (never `file://`, which would give the page every file on the machine, and never a remote URL). Paths
 * that would leave the folder are refused; app routes get `index.html`; every response carries the CSP.
 */
import { readFile } from 'node:fs/promises';
import { contentSecurityPolicy } from '../app/serve/content-security-policy.js';
import { contentType, missingRendererPage, rendererBuilt, resolveStaticFile } from '../app/serve/static-files.js';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = 'app://renderer';
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/** For `protocol.registerSchemesAsPrivileged`, before `ready`: standard (relative URLs, storage) and secure; no CSP bypass. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
} as const;

/** The `protocol.handle(APP_SCHEME, …)` handler for `rendererDir`. */
export function appProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const headers = (type: string) => ({
    'content-type': type,
    'content-security-policy': contentSecurityPolicy(),
    'x-content-type-options': 'nosniff',
  });
  return async (request) => {
    const url = new URL(request.url);
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== new URL(APP_ORIGIN).host) return new Response('not found', { status: 404, headers: headers('text/plain; charset=utf-8') });
    if (!rendererBuilt(rendererDir)) return new Response(missingRendererPage(rendererDir), { status: 503, headers: headers('text/html; charset=utf-8') });
    const file = resolveStaticFile(rendererDir, url.pathname);
    if (!file) return new Response('not found', { status: 404, headers: headers('text/plain; charset=utf-8') });
    return new Response(await readFile(file), { status: 200, headers: headers(contentType(file)) });
  };
}
