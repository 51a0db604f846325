/**
 * Where the renderer's `Api` comes from — the one place that decides. Inside Electron the preload bridge is on the
 * page (`window.spladeIpc`); in a browser on serve mode's URL the page talks HTTP + WebSocket to the server it came
 * from. The token: serve mode prints a URL carrying `?token=…` (or `#token=…`); when the page has one it is sent
 * with every call (Bearer header, and on the events socket), and removed from the address bar so it does not linger
 * in history; without one the server's cookie carries it. Everything else in the renderer sees only the `Api` type.
 */
import { connectApi, createApiClient, createHttpTransport, IPC_BRIDGE_GLOBAL, type Api } from '../../app/api/index.js';

export type ApiSource = { kind: 'bridge' | 'http'; api: Api };

/** The serve-mode access token from a page URL: the `token` query parameter, else `token` in the fragment. */
export function tokenFromUrl(href: string): string | null {
  const url = new URL(href);
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  return new URLSearchParams(url.hash.replace(/^#/, '')).get('token') || null;
}

/** The URL without its token (query parameter or fragment), other parameters kept. */
export function withoutToken(href: string): string {
  const url = new URL(href);
  url.searchParams.delete('token');
  const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
  if (fragment.has('token')) {
    fragment.delete('token');
    url.hash = fragment.toString();
  }
  return url.toString();
}

/** The parts of `window` used here (a structural type, so that this module also type-checks without the DOM library). */
export interface PageWindow {
  location: { href: string; origin: string };
  history: { state: unknown; replaceState(data: unknown, unused: string, url?: string | null): void };
}

export function apiForPage(win: PageWindow): ApiSource {
  if ((win as unknown as Record<string, unknown>)[IPC_BRIDGE_GLOBAL]) return { kind: 'bridge', api: connectApi(win as object) };
  const token = tokenFromUrl(win.location.href);
  if (!token) return { kind: 'http', api: connectApi(win as object) };
  win.history.replaceState(win.history.state, '', withoutToken(win.location.href));
  return { kind: 'http', api: createApiClient(createHttpTransport({ baseUrl: win.location.origin, token })) };
}
