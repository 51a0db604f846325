/**
 * Serve mode put together: an engine (in this process) behind the one dispatcher with serve mode's shell
 * answers, its events forwarded to the WebSocket clients, and the HTTP server. Closing it closes the server, then
 * the engine.
 */
import { EVENT_NAMES, type EventName } from '../api/api-contract.js';
import { createDispatcher, engineHandlers, type ApiEngine } from '../api/api-dispatch.js';
import { startServeServer, type ServeServer, type ServeServerOptions } from './serve-server.js';
import { serveShellHandlers, type ServeShellOptions } from './serve-shell.js';

export interface ServeAppOptions extends Pick<ServeServerOptions, 'rendererDir' | 'port' | 'host' | 'token'> {
  engine: ApiEngine;
  version: string;
  run?: ServeShellOptions['run'];
  onInternalError?: (method: string, error: unknown) => void;
}

export async function startServeApp(options: ServeAppOptions): Promise<ServeServer> {
  const { engine } = options;
  const dispatch = createDispatcher(
    { ...engineHandlers(engine), ...serveShellHandlers({ engine, version: options.version, ...(options.run ? { run: options.run } : {}) }) },
    options.onInternalError ? { onInternalError: options.onInternalError } : {},
  );
  const subscribe = (listener: (event: EventName, payload: unknown) => void) => {
    const offs = EVENT_NAMES.map((event) => engine.on(event, (payload) => listener(event, payload)));
    return () => offs.forEach((off) => off());
  };
  const server = await startServeServer({
    dispatch,
    subscribe,
    rendererDir: options.rendererDir,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
  });
  return {
    ...server,
    async close() {
      await server.close();
      await engine.close();
    },
  };
}
