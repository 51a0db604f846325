/**
 * What the preload gives the page: `window.spladeIpc`, an `ApiTransport` (`call`, `subscribe`) over
 * `ipcRenderer.invoke` and `ipcRenderer.on`, for the contract's methods and events only. Never the raw
 * `ipcRenderer`, and listeners never see the IPC event (its `sender` would leak `ipcRenderer`).
 */
import { EVENT_NAMES, METHOD_NAMES, type EventName, type MethodName } from '../app/api/api-contract.js';
import { errorReply, type ApiReply } from '../app/api/api-reply.js';
import { IPC_BRIDGE_GLOBAL, callChannel, eventChannel } from '../app/api/ipc-channels.js';

export interface ContextBridgeLike {
  exposeInMainWorld(key: string, api: unknown): void;
}

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface IpcBridge {
  call(method: MethodName, params: unknown): Promise<ApiReply>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

export function createIpcBridge(ipcRenderer: IpcRendererLike): IpcBridge {
  return {
    async call(method, params) {
      if (typeof method !== 'string' || !METHOD_NAMES.includes(method)) return errorReply('unknown-method', `unknown method ${JSON.stringify(String(method).slice(0, 80))}`);
      try {
        return (await ipcRenderer.invoke(callChannel(method), params)) as ApiReply;
      } catch (error) {
        // Only the carrier fails here (e.g. the main process is shutting down); handlers answer with replies.
        return errorReply('closed', `${method}: ${(error as Error)?.message ?? String(error)}`);
      }
    },
    subscribe(event, listener) {
      if (typeof listener !== 'function' || !EVENT_NAMES.includes(event)) return () => {};
      const wrapped = (_event: unknown, payload: unknown) => listener(payload);
      ipcRenderer.on(eventChannel(event), wrapped);
      return () => void ipcRenderer.removeListener(eventChannel(event), wrapped);
    },
  };
}

export function exposeIpcBridge(contextBridge: ContextBridgeLike, ipcRenderer: IpcRendererLike): void {
  contextBridge.exposeInMainWorld(IPC_BRIDGE_GLOBAL, createIpcBridge(ipcRenderer));
}
