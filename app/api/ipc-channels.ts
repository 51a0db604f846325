/**
 * Electron IPC naming, shared by the preload bridge and the main process's handlers: one `invoke` channel per
 * method and one `send` channel per event, each derived from the contract's names. Renderer-safe.
 */
import type { EventName, MethodName } from './api-contract.js';

/** The global the preload defines in the page: an `ApiTransport` (`call`, `subscribe`) over IPC. */
export const IPC_BRIDGE_GLOBAL = 'spladeIpc';

export function callChannel(method: MethodName): string {
  return `api:${method}`;
}

export function eventChannel(event: EventName): string {
  return `api-event:${event}`;
}
