/**
 * The Electron main process: the one file that binds the real `electron` module to the app's small modules.
 * Single instance; the engine in a utilityProcess (restarted when it dies); the renderer from `app://` in a
 * sandboxed, isolated window; IPC through the one dispatcher; tray, global hotkey, menu, remembered window
 * bounds, start at login. The data folder is the CLI's (`appDataDir`), so both share one index and settings.
 */
import { app, BrowserWindow, dialog, globalShortcut, ipcMain, Menu, nativeTheme, protocol, screen, session, shell, Tray, utilityProcess, type MenuItemConstructorOptions } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Progress, Settings } from '../app/engine/engine-types.js';
import { appDataDir } from '../app/util/app-data-dir.js';
import { openAppWindow, showAndFocusSearch } from './app-window.js';
import type { BrowserWindowLike, EngineChildLike } from './electron-boundary.js';
import { createMainApi } from './main-api.js';
import { EngineHost } from './engine-host.js';
import { Hotkey } from './hotkey.js';
import { forwardEvents, registerIpcHandlers } from './ipc-handlers.js';
import { setStartAtLogin } from './login-item.js';
import { appMenuTemplate } from './menu.js';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler } from './protocol.js';
import { hardenSession, hardenWebContents } from './security.js';
import { AppTray } from './tray.js';
import { loadWindowState } from './window-state.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/main
const appRoot = app.getAppPath();
const rendererDir = join(appRoot, 'dist', 'renderer');
const icon = join(appRoot, 'resources', 'icon.png');
const trayIcon = join(appRoot, 'resources', 'tray-icon.png');
const hidden = process.argv.includes('--hidden');

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME_PRIVILEGES.scheme, privileges: { ...APP_SCHEME_PRIVILEGES.privileges } }]);
app.enableSandbox();
app.on('web-contents-created', (_event, contents) => hardenWebContents(contents as never));

let window: BrowserWindow | undefined;
let quitting = false;

function showWindow(): void {
  if (window && !window.isDestroyed()) showAndFocusSearch(window as unknown as BrowserWindowLike);
}

function utilityChild(modulePath: string): EngineChildLike {
  const child = utilityProcess.fork(modulePath, [], { serviceName: 'splade-search engine', stdio: 'inherit' });
  return {
    postMessage: (message) => child.postMessage(message),
    on: ((event: string, listener: (value: never) => void) => (child.on as unknown as (e: string, l: (value: never) => void) => unknown).call(child, event, listener)) as EngineChildLike['on'],
    kill: () => child.kill(),
    get pid() {
      return child.pid;
    },
  };
}

async function start(): Promise<void> {
  hardenSession(session.defaultSession);
  protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir));

  const host = new EngineHost({
    fork: () => utilityChild(join(here, 'engine-process.js')),
    open: { dataDir: appDataDir({ env: process.env }), download: true },
    onState: (state, detail) => console.log(`engine: ${state}${detail ? ` (${detail})` : ''}`),
  });
  const engine = host.engine();
  const hotkey = new Hotkey(globalShortcut, showWindow);
  const applySettings = (settings: Settings) => {
    nativeTheme.themeSource = settings.theme;
    if (!hotkey.set(settings.hotkey)) console.warn(`the hotkey ${settings.hotkey} is taken by another app or invalid`);
    setStartAtLogin(settings.startAtLogin, { platform: process.platform, executable: process.env.APPIMAGE || process.execPath, setLoginItemSettings: (s) => app.setLoginItemSettings(s) });
  };

  const { handlers, dispatch } = createMainApi({
    engine,
    shell,
    dialog: { showOpenDialog: (parent, options) => (parent ? dialog.showOpenDialog(parent as never, options as never) : dialog.showOpenDialog(options as never)) },
    window: () => window as unknown as BrowserWindowLike | undefined,
    version: app.getVersion(),
    onSettings: applySettings,
    applyHotkey: (accelerator) => hotkey.set(accelerator),
    onInternalError: (method, error) => console.error(`internal error in ${method}:`, error),
  });
  registerIpcHandlers(ipcMain as never, dispatch);
  forwardEvents((listener) => host.subscribe(listener), () => BrowserWindow.getAllWindows().map((w) => w.webContents as never));

  window = openAppWindow({
    createWindow: (options) => new BrowserWindow(options) as unknown as BrowserWindowLike,
    preload: join(here, 'preload.cjs'),
    stateFile: join(app.getPath('userData'), 'window-state.json'),
    state: loadWindowState(join(app.getPath('userData'), 'window-state.json')),
    workAreas: screen.getAllDisplays().map((display) => display.workArea),
    icon,
    hidden,
  }) as unknown as BrowserWindow;
  // Closing the window keeps the app (and indexing) running in the tray; Quit really quits.
  window.on('close', (event) => {
    if (!quitting) {
      event.preventDefault();
      window?.hide();
    }
  });

  const tray = new AppTray(new Tray(trayIcon), Menu as never, {
    show: showWindow,
    pause: () => void engine.pauseIndexing({}).catch(() => undefined),
    resume: () => void engine.resumeIndexing({}).catch(() => undefined),
    quit: () => app.quit(),
  });
  host.subscribe((event, payload) => {
    if (event === 'progress') tray.update(payload as Progress);
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      appMenuTemplate(process.platform, {
        showWindow,
        focusSearch: showWindow,
        addFolder: () =>
          void (async () => {
            const picked = await handlers.pickFolder({});
            if (picked.path) await engine.addFolder({ path: picked.path });
          })().catch((error) => dialog.showErrorBox('Cannot add the folder', (error as Error).message)),
      }) as MenuItemConstructorOptions[],
    ),
  );

  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', (event) => {
    hotkey.dispose();
    if (host.state !== 'closed') {
      // Let the engine commit and release the data folder before the app exits.
      event.preventDefault();
      void host.close().finally(() => app.quit());
    }
  });
  app.on('window-all-closed', () => {
    /* the tray keeps the app running */
  });

  try {
    await host.start();
    applySettings(await engine.getSettings({}));
  } catch (error) {
    dialog.showErrorBox('splade-search cannot open its data folder', (error as Error).message);
    tray.destroy();
    app.exit(1);
  }
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void app.whenReady().then(start);
}
