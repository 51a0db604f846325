/**
 * Where the renderer's `Api` comes from — the one place that knows: Electron's preload bridge puts it on
 * `window.splade`; in serve mode (`splade-search serve`) there is no bridge and the page talks HTTP + WebSocket to
 * the server it was loaded from, authenticated with the token the printed URL carries (`?token=…` or `#token=…`).
 * Everything else in the renderer sees only the `Api` type and never knows which one it got.
 */
import type { Api } from '../../app/api/api-contract.js';

declare global {
  interface Window {
    /** Set by the Electron preload bridge (main/preload). */
    splade?: Api;
  }
}

export type ApiSource =
  | { kind: 'bridge' | 'http'; api: Api }
  | { kind: 'none'; reason: string };

/** The serve-mode access token from a page URL: the `token` query parameter, else `token` in the fragment. */
export function tokenFromUrl(href: string): string | null {
  const url = new URL(href);
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
  return fragment.get('token') || null;
}

/** Connects to serve mode's HTTP API at `origin` with `token` (the typed client from app/api). */
export type HttpConnector = (origin: string, token: string) => Api | Promise<Api>;

export async function resolveApi(win: Window, connectHttp: HttpConnector): Promise<ApiSource> {
  if (win.splade) return { kind: 'bridge', api: win.splade };
  const token = tokenFromUrl(win.location.href);
  if (!token) {
    return {
      kind: 'none',
      reason: 'This page has no access token. Open the full address that `splade-search serve` printed (it ends in ?token=…), or start the desktop app.',
    };
  }
  // Keep the token out of the address bar and history once read; the client holds it.
  win.history.replaceState(null, '', win.location.pathname);
  return { kind: 'http', api: await connectHttp(win.location.origin, token) };
}
