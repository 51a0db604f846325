/**
 * The desktop pieces of the main process, with fakes of the Electron parts they use: remembered window bounds,
 * tray status and menu, the global hotkey, start at login (Linux autostart entry), the app menu, the shell
 * handlers' folder picker, and the engine host's restart policy against a fake process.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Progress } from '../../app/engine/engine-types.js';
import type { BrowserWindowLike, EngineChildLike, MenuItemTemplate } from '../../main/electron-boundary.js';
import { EngineHost } from '../../main/engine-host.js';
import { Hotkey } from '../../main/hotkey.js';
import { AUTOSTART_FILE, setStartAtLogin } from '../../main/login-item.js';
import { appMenuTemplate } from '../../main/menu.js';
import { AppTray, progressLine } from '../../main/tray.js';
import { DEFAULT_SIZE, initialBounds, loadWindowState, saveWindowState, trackWindowState } from '../../main/window-state.js';

const progress = (change: Partial<Progress>): Progress => ({
  phase: 'idle', queued: 0, done: 0, indexed: 0, skipped: 0, failed: 0, passagesPerSecond: 0, etaSeconds: null, currentFile: null, message: null, ...change,
});

describe('window state', () => {
  it('saves normal bounds and maximized, restores them only on a visible display', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'window-state-'));
    try {
      const file = join(dir, 'window-state.json');
      assert.deepEqual(loadWindowState(file), { bounds: null, maximized: false });
      const listeners = new Map<string, () => void>();
      const window = {
        on: (event: string, listener: () => void) => listeners.set(event, listener),
        isDestroyed: () => false,
        getNormalBounds: () => ({ x: 100, y: 50, width: 900, height: 700 }),
        isMaximized: () => true,
      } as unknown as BrowserWindowLike;
      trackWindowState(window, file);
      listeners.get('close')!();
      const state = loadWindowState(file);
      assert.deepEqual(state, { bounds: { x: 100, y: 50, width: 900, height: 700 }, maximized: true });
      const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
      assert.deepEqual(initialBounds(state, screen), state.bounds);
      assert.deepEqual(initialBounds(state, [{ x: 3000, y: 0, width: 1920, height: 1080 }]), DEFAULT_SIZE, 'the monitor it was on is gone');
      saveWindowState(file, { bounds: { x: 0, y: 0, width: 10, height: 10 }, maximized: false });
      assert.equal(loadWindowState(file).bounds, null, 'absurd sizes are ignored');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('tray', () => {
  it('shows indexing status and offers pause or resume', () => {
    const menus: MenuItemTemplate[][] = [];
    const tips: string[] = [];
    const calls: string[] = [];
    const tray = new AppTray(
      { setToolTip: (t) => tips.push(t), setContextMenu: () => undefined, on: () => undefined, destroy: () => undefined },
      { buildFromTemplate: (template) => menus.push(template), setApplicationMenu: () => undefined },
      { show: () => calls.push('show'), pause: () => calls.push('pause'), resume: () => calls.push('resume'), quit: () => calls.push('quit') },
    );
    tray.update(progress({ phase: 'indexing', done: 3, queued: 7, etaSeconds: 90 }));
    assert.equal(menus.at(-1)![0]!.label, 'Indexing: 3 done, 7 waiting, ~2 min left');
    assert.match(tips.at(-1)!, /Indexing: 3 done/);
    menus.at(-1)!.find((item) => item.label === 'Pause indexing')!.click!();
    tray.update(progress({ phase: 'paused', queued: 7 }));
    menus.at(-1)!.find((item) => item.label === 'Resume indexing')!.click!();
    assert.deepEqual(calls, ['pause', 'resume']);
    const count = menus.length;
    tray.update(progress({ phase: 'paused', queued: 7 }));
    assert.equal(menus.length, count, 'unchanged status does not rebuild the menu');
    assert.equal(progressLine(progress({ failed: 2 })), 'Up to date (2 failed)');
  });
});

describe('global hotkey', () => {
  it('registers, replaces, reports a taken shortcut, and unregisters', () => {
    const registered = new Set<string>();
    const taken = new Set(['Alt+Space']);
    const shortcut = {
      register: (a: string) => (taken.has(a) ? false : (registered.add(a), true)),
      unregister: (a: string) => void registered.delete(a),
      unregisterAll: () => registered.clear(),
    };
    const hotkey = new Hotkey(shortcut, () => undefined);
    assert.equal(hotkey.set('CommandOrControl+Shift+Space'), true);
    assert.deepEqual([...registered], ['CommandOrControl+Shift+Space']);
    assert.equal(hotkey.set('Alt+Space'), false);
    assert.equal(hotkey.active, null);
    assert.deepEqual([...registered], []);
    assert.equal(hotkey.set(''), true);
    hotkey.set('F12');
    hotkey.dispose();
    assert.deepEqual([...registered], []);
  });
});

describe('start at login', () => {
  it('writes and removes a freedesktop autostart entry on Linux; uses login items elsewhere', async () => {
    const config = await mkdtemp(join(tmpdir(), 'autostart-'));
    try {
      const env = { XDG_CONFIG_HOME: config };
      setStartAtLogin(true, { platform: 'linux', executable: '/opt/splade search/app', setLoginItemSettings: () => assert.fail(), env });
      const entry = await readFile(join(config, 'autostart', AUTOSTART_FILE), 'utf8');
      assert.match(entry, /^\[Desktop Entry\]/);
      assert.match(entry, /Exec="\/opt\/splade search\/app" --hidden/);
      setStartAtLogin(false, { platform: 'linux', executable: '/x', setLoginItemSettings: () => assert.fail(), env });
      assert.ok(!existsSync(join(config, 'autostart', AUTOSTART_FILE)));
      const seen: unknown[] = [];
      setStartAtLogin(true, { platform: 'darwin', executable: '/x', setLoginItemSettings: (s) => seen.push(s) });
      assert.deepEqual(seen, [{ openAtLogin: true, args: ['--hidden'] }]);
    } finally {
      await rm(config, { recursive: true, force: true });
    }
  });
});

describe('app menu', () => {
  it('has the standard edit menu (copy/paste shortcuts) and the app menu on macOS', () => {
    const actions = { addFolder: () => undefined, focusSearch: () => undefined, showWindow: () => undefined };
    const mac = appMenuTemplate('darwin', actions);
    assert.equal(mac[0]!.role, 'appMenu');
    assert.ok(mac.some((item) => item.role === 'editMenu'));
    const linux = appMenuTemplate('linux', actions);
    assert.ok(!linux.some((item) => item.role === 'appMenu'));
    assert.ok(linux.some((item) => item.role === 'editMenu') && linux.some((item) => item.role === 'windowMenu'));
  });
});

/** A fake engine process: answers 'open' as told, and every call with its method name. */
class FakeChild extends EventEmitter implements EngineChildLike {
  readonly pid = 1;
  readonly sent: { type: string }[] = [];
  constructor(private readonly onOpen: 'ready' | 'fail' | 'die') {
    super();
  }
  postMessage(message: unknown): void {
    const m = message as { type: string; id?: number; method?: string };
    this.sent.push(m);
    queueMicrotask(() => {
      if (m.type === 'open' && this.onOpen === 'ready') this.emit('message', { type: 'ready', role: 'writer' });
      if (m.type === 'open' && this.onOpen === 'fail') this.emit('message', { type: 'open-failed', error: { code: 'read-only', message: 'locked' } });
      if (m.type === 'open' && this.onOpen === 'die') this.emit('exit', 1);
      if (m.type === 'call') this.emit('message', { type: 'reply', id: m.id, reply: { ok: true, result: m.method } });
      if (m.type === 'close') this.emit('exit', 0);
    });
  }
  kill(): boolean {
    queueMicrotask(() => this.emit('exit', null));
    return true;
  }
}

describe('engine host restart policy', () => {
  it('queues calls until ready, gives up after repeated crashes, and does not restart on an open failure', async () => {
    const children: FakeChild[] = [];
    const host = new EngineHost({ fork: () => (children.push(new FakeChild('ready')), children.at(-1)!), open: { dataDir: '/d' }, initialBackoffMs: 1 });
    const early = host.call('status', {});
    await host.start();
    assert.deepEqual(await early, { ok: true, result: 'status' });
    await host.close();
    assert.equal((await host.call('status', {})).ok, false);

    const crashing: FakeChild[] = [];
    const states: string[] = [];
    const doomed = new EngineHost({ fork: () => (crashing.push(new FakeChild('die')), crashing.at(-1)!), open: { dataDir: '/d' }, initialBackoffMs: 1, maxBackoffMs: 4, maxAttempts: 3, onState: (s) => states.push(s) });
    await assert.rejects(doomed.start(), /failed 4 times in a row/);
    assert.equal(crashing.length, 4);
    assert.equal(doomed.state, 'failed');
    const reply = await doomed.call('search', { query: 'x' });
    assert.equal(!reply.ok && reply.error.code, 'closed');

    const failing: FakeChild[] = [];
    const locked = new EngineHost({ fork: () => (failing.push(new FakeChild('fail')), failing.at(-1)!), open: { dataDir: '/d' }, initialBackoffMs: 1 });
    await assert.rejects(locked.start(), /locked/);
    assert.equal(failing.length, 1, 'an unopenable data folder is not retried');
    const lockedReply = await locked.call('status', {});
    assert.equal(!lockedReply.ok && lockedReply.error.code, 'read-only');
  });
});

describe('show and focus the search box', () => {
  it('restores, shows and focuses the window, and tells the page through the focusSearch event', async () => {
    const { showAndFocusSearch } = await import('../../main/app-window.js');
    const { FakeIpcMain, FakePage } = await import('../helpers/fake-electron.js');
    const { createApiClient } = await import('../../app/api/api-client.js');
    const page = new FakePage(new FakeIpcMain());
    const api = createApiClient(page.runPreload());
    const got: unknown[] = [];
    api.on('focusSearch', (payload) => got.push(payload));
    const calls: string[] = [];
    const window = {
      webContents: page.webContents,
      isDestroyed: () => false,
      isMinimized: () => true,
      restore: () => calls.push('restore'),
      show: () => calls.push('show'),
      focus: () => calls.push('focus'),
    } as unknown as BrowserWindowLike;
    showAndFocusSearch(window);
    assert.deepEqual(calls, ['restore', 'show', 'focus']);
    assert.deepEqual(got, [null]);
  });
});

describe('hotkey setting', () => {
  it('keeps the previous hotkey and says why when the new one cannot be registered', async () => {
    const { Engine } = await import('../../app/engine/engine.js');
    const { createMainApi } = await import('../../main/main-api.js');
    const { isEngineError } = await import('../../app/engine/engine-error.js');
    const { fixedDialog, recordingShell } = await import('../helpers/fake-electron.js');
    const dir = await mkdtemp(join(tmpdir(), 'hotkey-setting-'));
    const engine = await Engine.open({ dataDir: dir, env: {}, loadModel: false, indexing: 'off' });
    try {
      const registered: string[] = [];
      const hotkey = new Hotkey({ register: (a) => a !== 'Alt+Space' && (registered.push(a), true), unregister: () => undefined, unregisterAll: () => undefined }, () => undefined);
      const applied: string[] = [];
      const { handlers } = createMainApi({ engine, shell: recordingShell(), dialog: fixedDialog(null), window: () => undefined, version: 't', applyHotkey: (a) => hotkey.set(a), onSettings: (s) => applied.push(s.theme) });
      assert.equal((await handlers.setSettings({ hotkey: 'F9', theme: 'dark' })).hotkey, 'F9');
      await assert.rejects(handlers.setSettings({ hotkey: 'Alt+Space' }), (error) => isEngineError(error, 'invalid-request') && /Alt\+Space.*previous one is kept/.test((error as Error).message));
      assert.equal((await engine.getSettings({})).hotkey, 'F9');
      assert.equal(hotkey.active, 'F9');
      assert.deepEqual(applied, ['dark']);
    } finally {
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
