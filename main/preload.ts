/** The preload script (bundled to one CommonJS file, as sandboxed preloads require): exposes the IPC bridge. */
import { contextBridge, ipcRenderer } from 'electron';
import { exposeIpcBridge } from './preload-bridge.js';

exposeIpcBridge(contextBridge, ipcRenderer);
