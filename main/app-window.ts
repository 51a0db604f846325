/**
 * The app's one window: secure web preferences, the preload bridge, the renderer from `app://`, remembered
 * bounds; hidden (not destroyed) when closed while the tray keeps the app running, and shown focused on the
 * search box by the hotkey, the tray or a second launch.
 */
import { eventChannel } from '../app/api/ipc-channels.js';
import type { BrowserWindowLike, Rectangle } from './electron-boundary.js';
import { APP_START_URL } from './protocol.js';
import { SECURE_WEB_PREFERENCES } from './security.js';
import { initialBounds, trackWindowState, type WindowState } from './window-state.js';

export interface WindowOptions {
  width: number;
  height: number;
  x?: number;
  y?: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  icon?: string;
  backgroundColor: string;
  webPreferences: typeof SECURE_WEB_PREFERENCES & { preload: string };
}

/** The BrowserWindow options: everything that matters for security is fixed here, not at the call site. */
export function windowOptions(preload: string, state: WindowState, workAreas: Rectangle[], icon?: string): WindowOptions {
  return {
    ...initialBounds(state, workAreas),
    minWidth: 640,
    minHeight: 420,
    show: false,
    title: 'splade-search',
    ...(icon ? { icon } : {}),
    backgroundColor: '#1e1e1e',
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload },
  };
}

export interface AppWindowDeps {
  createWindow(options: WindowOptions): BrowserWindowLike;
  preload: string;
  stateFile: string;
  state: WindowState;
  workAreas: Rectangle[];
  icon?: string;
  /** Started at login with `--hidden`: only the tray shows until the user asks for the window. */
  hidden?: boolean;
}

export function openAppWindow(deps: AppWindowDeps): BrowserWindowLike {
  const window = deps.createWindow(windowOptions(deps.preload, deps.state, deps.workAreas, deps.icon));
  if (deps.state.maximized) window.maximize();
  trackWindowState(window, deps.stateFile);
  if (!deps.hidden) window.on('ready-to-show', () => window.show());
  void window.loadURL(APP_START_URL);
  return window;
}

/** Shows the window in front and asks the page to focus its search box. */
export function showAndFocusSearch(window: BrowserWindowLike): void {
  if (window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
  window.webContents.send(eventChannel('focusSearch'), null);
}
