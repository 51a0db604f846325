/**
 * How a page gets its `Api`: inside the Electron app the preload defines the IPC bridge (`window.spladeIpc`), and
 * in a browser opened on serve mode's URL the same origin answers over HTTP (the token is in the page's cookie).
 * The page never knows which one it got. Renderer-safe.
 */
import type { Api } from './api-contract.js';
import { createApiClient, type ApiTransport } from './api-client.js';
import { createHttpTransport } from './http-transport.js';
import { IPC_BRIDGE_GLOBAL } from './ipc-channels.js';

export function connectApi(scope: object = globalThis): Api {
  const bridge = (scope as Record<string, unknown>)[IPC_BRIDGE_GLOBAL] as ApiTransport | undefined;
  if (bridge && typeof bridge.call === 'function' && typeof bridge.subscribe === 'function') return createApiClient(bridge);
  return createApiClient(createHttpTransport());
}
