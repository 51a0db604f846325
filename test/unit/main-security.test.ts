/**
 * The main process's security settings, tested without Electron: the window's web preferences, the guards every
 * WebContents gets, permission denial, the app-page sender check, the CSP, and the app:// protocol handler.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentSecurityPolicy } from '../../app/serve/content-security-policy.js';
import { windowOptions } from '../../main/app-window.js';
import type { WebContentsLike } from '../../main/electron-boundary.js';
import { APP_SCHEME_PRIVILEGES, APP_START_URL, appProtocolHandler } from '../../main/protocol.js';
import { SECURE_WEB_PREFERENCES, hardenSession, hardenWebContents, isAppUrl } from '../../main/security.js';

describe('window security settings', () => {
  it('isolates, sandboxes and keeps Node out of every window', () => {
    const options = windowOptions('/app/dist/main/preload.cjs', { bounds: null, maximized: false }, []);
    const prefs = options.webPreferences;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.experimentalFeatures, false);
    assert.equal(prefs.preload, '/app/dist/main/preload.cjs');
    assert.ok(Object.isFrozen(SECURE_WEB_PREFERENCES));
    assert.ok(!('enableBlinkFeatures' in prefs));
  });

  it('loads the renderer from app://, never from the network or file://', () => {
    assert.equal(APP_START_URL, 'app://renderer/index.html');
    assert.deepEqual(APP_SCHEME_PRIVILEGES.privileges, { standard: true, secure: true, supportFetchAPI: true, codeCache: true });
    assert.ok(!('bypassCSP' in APP_SCHEME_PRIVILEGES.privileges));
  });

  it('blocks navigation, redirects, webviews and new windows on every WebContents', () => {
    const listeners = new Map<string, (event: { preventDefault(): void }) => void>();
    let openHandler: ((details: { url: string }) => { action: string }) | undefined;
    const contents = {
      on: (event: string, listener: (event: { preventDefault(): void }) => void) => listeners.set(event, listener),
      setWindowOpenHandler: (handler: typeof openHandler) => (openHandler = handler),
    } as unknown as WebContentsLike;
    hardenWebContents(contents);
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      listeners.get(event)!({ preventDefault: () => (prevented = true) });
      assert.ok(prevented, event);
    }
    assert.deepEqual(openHandler!({ url: 'https://example.com' }), { action: 'deny' });
  });

  it('denies every permission request and check', () => {
    let request: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
    let check: ((contents: unknown, permission: string) => boolean) | null = null;
    hardenSession({ setPermissionRequestHandler: (h) => (request = h), setPermissionCheckHandler: (h) => (check = h) });
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      let granted: boolean | undefined;
      request!(null, permission, (g) => (granted = g));
      assert.equal(granted, false, permission);
      assert.equal(check!(null, permission), false);
    }
  });

  it('accepts IPC only from app pages, compared by parsed scheme and host', () => {
    assert.ok(isAppUrl('app://renderer/index.html'));
    assert.ok(isAppUrl('app://renderer/settings?x=1#y'));
    for (const url of [null, '', 'app://renderer.evil/', 'app://evil@renderer/', 'app://renderer:1/', 'app://other/', 'https://renderer/', 'file:///index.html', 'javascript:alert(1)', 'about:blank', 'http://127.0.0.1:5173/']) {
      assert.equal(isAppUrl(url), false, String(url));
    }
  });
});

describe('Content-Security-Policy', () => {
  it('allows only the app itself: no inline or eval scripts, no frames, plugins, forms or base', () => {
    const csp = contentSecurityPolicy();
    const directives = new Map(csp.split('; ').map((part) => [part.split(' ')[0]!, part.split(' ').slice(1).join(' ')]));
    assert.equal(directives.get('default-src'), "'none'");
    assert.equal(directives.get('script-src'), "'self'");
    assert.equal(directives.get('style-src'), "'self'");
    assert.equal(directives.get('connect-src'), "'self'");
    assert.equal(directives.get('object-src'), "'none'");
    assert.equal(directives.get('base-uri'), "'none'");
    assert.equal(directives.get('form-action'), "'none'");
    assert.equal(directives.get('frame-ancestors'), "'none'");
    assert.doesNotMatch(csp, /unsafe|\*|http:|https:|ws:/);
    assert.match(contentSecurityPolicy({ connect: ['ws://127.0.0.1:8000'] }), /connect-src 'self' ws:\/\/127\.0\.0\.1:8000;/);
  });
});

describe('app:// protocol handler', () => {
  it('serves the renderer folder with the CSP, routes to index.html, and nothing outside', async () => {
    const root = await mkdtemp(join(tmpdir(), 'protocol-'));
    try {
      const dir = join(root, 'renderer');
      const handler = appProtocolHandler(dir);
      const missing = await handler(new Request('app://renderer/index.html'));
      assert.equal(missing.status, 503);
      assert.match(await missing.text(), /npm run build:renderer/);
      await mkdir(join(dir, 'assets'), { recursive: true });
      await writeFile(join(dir, 'index.html'), '<title>app</title>');
      await writeFile(join(dir, 'assets', 'a.js'), 'x');
      await writeFile(join(root, 'secret.txt'), 'secret');
      const index = await handler(new Request('app://renderer/index.html'));
      assert.equal(index.status, 200);
      assert.equal(await index.text(), '<title>app</title>');
      assert.equal(index.headers.get('content-security-policy'), contentSecurityPolicy());
      assert.equal((await handler(new Request('app://renderer/assets/a.js'))).headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.equal(await (await handler(new Request('app://renderer/search/route'))).text(), '<title>app</title>');
      for (const url of ['app://renderer/%2e%2e/secret.txt', 'app://renderer/assets/..%2f..%2fsecret.txt', 'app://renderer/..%5csecret.txt', 'app://other/index.html', 'app://renderer/missing.js']) {
        const response = await handler(new Request(url));
        assert.equal(response.status, 404, url);
        assert.doesNotMatch(await response.text(), /secret/);
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
