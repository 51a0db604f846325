/**
 * Fakes of the Electron pieces the main process and the preload use (the binary cannot be downloaded here):
 * ipcMain/ipcRenderer joined as Electron joins them (structured clone both ways, the sender's frame URL on the
 * event), contextBridge capturing what the preload exposes, webContents delivering events, shell and dialog
 * recording what they were asked.
 */
import { EventEmitter } from 'node:events';
import type { ApiTransport } from '../../app/api/api-client.js';
import { IPC_BRIDGE_GLOBAL } from '../../app/api/ipc-channels.js';
import type { DialogLike, IpcInvokeEventLike, IpcMainLike, ShellLike, WebContentsLike } from '../../main/electron-boundary.js';
import { exposeIpcBridge, type IpcRendererLike } from '../../main/preload-bridge.js';

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: IpcInvokeEventLike, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What Electron does for `ipcRenderer.invoke`: clone the arguments, call the handler, clone its answer; a throw becomes a generic Error. */
  async invoke(frameUrl: string | null, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    const event: IpcInvokeEventLike = { senderFrame: frameUrl === null ? null : { url: frameUrl } };
    try {
      return structuredClone(await handler(event, ...structuredClone(args)));
    } catch (error) {
      throw new Error(`Error invoking remote method '${channel}': ${String(error)}`);
    }
  }
}

/** One page: its ipcRenderer (invoking through `ipcMain` as `frameUrl`) and its webContents (events to it). */
export class FakePage {
  readonly events = new EventEmitter();
  readonly exposed = new Map<string, unknown>();
  readonly webContents: WebContentsLike;
  readonly ipcRenderer: IpcRendererLike;

  constructor(ipcMain: FakeIpcMain, public frameUrl: string | null = 'app://renderer/index.html') {
    const page = this;
    this.ipcRenderer = {
      invoke: (channel, ...args) => ipcMain.invoke(page.frameUrl, channel, ...args),
      on: (channel, listener) => page.events.on(channel, listener),
      removeListener: (channel, listener) => page.events.removeListener(channel, listener),
    };
    this.webContents = {
      id: 1,
      send: (channel, ...args) => void page.events.emit(channel, { sender: 'ipcRenderer-would-leak-here' }, ...structuredClone(args)),
      isDestroyed: () => false,
      on: () => undefined,
      setWindowOpenHandler: () => undefined,
      session: { setPermissionRequestHandler: () => undefined, setPermissionCheckHandler: () => undefined },
    };
  }

  /** Runs the preload against this page and returns what it exposed as the bridge. */
  runPreload(): ApiTransport {
    exposeIpcBridge({ exposeInMainWorld: (key, api) => void this.exposed.set(key, api) }, this.ipcRenderer);
    return this.exposed.get(IPC_BRIDGE_GLOBAL) as ApiTransport;
  }
}

export function recordingShell(): ShellLike & { opened: string[]; revealed: string[] } {
  const shell = {
    opened: [] as string[],
    revealed: [] as string[],
    async openPath(path: string) {
      shell.opened.push(path);
      return '';
    },
    showItemInFolder(path: string) {
      shell.revealed.push(path);
    },
  };
  return shell;
}

export function fixedDialog(paths: string[] | null): DialogLike & { asked: number } {
  const dialog = {
    asked: 0,
    async showOpenDialog() {
      dialog.asked++;
      return paths ? { canceled: false, filePaths: paths } : { canceled: true, filePaths: [] };
    },
  };
  return dialog;
}
