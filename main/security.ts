/**
 * The renderer's security settings and guards (Electron's security checklist): isolated, sandboxed, no Node;
 * navigation, new windows and <webview> refused; every permission request denied; IPC accepted only from a
 * frame showing the app's own origin.
 */
import type { SessionLike, WebContentsLike } from './electron-boundary.js';
import { APP_ORIGIN } from './protocol.js';

/** webPreferences of every window. `preload` is added by app-window.ts. */
export const SECURE_WEB_PREFERENCES = Object.freeze({
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  spellcheck: false,
  navigateOnDragDrop: false,
});

/**
 * True when `url` (a frame's URL) is a page of the app: parsed and compared by scheme and host, never by prefix
 * (`app://renderer.evil/` and `app://renderer@evil/` are not the app). Node's URL gives a custom scheme the origin
 * "null", so the parts are compared instead of `origin`.
 */
export function isAppUrl(url: string | null | undefined): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    const app = new URL(APP_ORIGIN);
    return parsed.protocol === app.protocol && parsed.host === app.host && parsed.username === '' && parsed.password === '' && parsed.port === '';
  } catch {
    return false;
  }
}

/** Applied to every WebContents (from `web-contents-created`): no navigation, no new windows, no webviews. */
export function hardenWebContents(contents: WebContentsLike): void {
  const refuse = (event: { preventDefault(): void }) => event.preventDefault();
  contents.on('will-navigate', refuse);
  contents.on('will-redirect', refuse);
  contents.on('will-attach-webview', refuse);
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Electron grants every permission by default; the app needs none (no camera, notifications, geolocation...). */
export function hardenSession(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
