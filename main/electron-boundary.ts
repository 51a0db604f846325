/**
 * The narrow part of Electron the main process uses, as interfaces: `main.ts` binds the real `electron` module to
 * them, and tests bind fakes (Electron's binary cannot be downloaded here). Each module of `main/` takes only the
 * pieces it needs, so a test fakes a handful of methods, not Electron.
 */

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SessionLike {
  setPermissionRequestHandler(handler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string) => boolean) | null): void;
}

export interface WebContentsLike {
  id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', listener: (event: { preventDefault(): void; url?: string }, url?: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
  session: SessionLike;
}

export interface BrowserWindowLike {
  webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  maximize(): void;
  isMinimized(): boolean;
  isVisible(): boolean;
  isMaximized(): boolean;
  isFullScreen(): boolean;
  isDestroyed(): boolean;
  getNormalBounds(): Rectangle;
  on(event: 'close' | 'closed' | 'resize' | 'move' | 'ready-to-show', listener: () => void): unknown;
}

/** The message-passing child the engine runs in: Electron's utilityProcess, or child_process.fork in tests. */
export interface EngineChildLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number | null) => void): unknown;
  kill(): boolean;
  readonly pid: number | undefined;
}

export interface IpcInvokeEventLike {
  /** Null when the frame navigated away or was destroyed (Electron 45): such messages are refused. */
  senderFrame: { url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface DialogLike {
  showOpenDialog(window: BrowserWindowLike | undefined, options: { properties: string[]; title?: string; defaultPath?: string }): Promise<{ canceled: boolean; filePaths: string[] }>;
}

export interface ShellLike {
  /** Resolves with an error message, '' on success (Electron's contract). */
  openPath(path: string): Promise<string>;
  showItemInFolder(path: string): void;
}

export interface GlobalShortcutLike {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
  unregisterAll(): void;
}

export interface MenuItemTemplate {
  label?: string;
  role?: string;
  type?: 'separator' | 'normal' | 'checkbox' | 'submenu';
  accelerator?: string;
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
  submenu?: MenuItemTemplate[];
}

export interface MenuLike {
  buildFromTemplate(template: MenuItemTemplate[]): unknown;
  setApplicationMenu(menu: unknown): void;
}

export interface TrayLike {
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface ScreenLike {
  getAllDisplays(): { workArea: Rectangle }[];
}
