/**
 * The two ways a front end reaches the engine, built as the app builds them, around a real Engine:
 * - 'ipc': the main process's dispatcher (createMainApi) registered on a fake ipcMain, events forwarded to a fake
 *   page, and the real preload bridge run against that page; the client over what the preload exposed.
 * - 'serve': serve mode on a loopback port; the client over the HTTP transport with the token, events over `ws`.
 */
import { WebSocket } from 'ws';
import { EVENT_NAMES, type Api, type EventName } from '../../app/api/api-contract.js';
import { createApiClient, type ApiTransport } from '../../app/api/api-client.js';
import type { Dispatch } from '../../app/api/api-dispatch.js';
import { createHttpTransport, type WebSocketConstructorLike } from '../../app/api/http-transport.js';
import type { Engine } from '../../app/engine/engine.js';
import { startServeApp } from '../../app/serve/serve-app.js';
import type { ServeServer } from '../../app/serve/serve-server.js';
import type { OpenCommand } from '../../app/util/os-open.js';
import { forwardEvents, registerIpcHandlers } from '../../main/ipc-handlers.js';
import { createMainApi } from '../../main/main-api.js';
import type { ApiFixture } from './api-fixture.js';
import { FakeIpcMain, FakePage, fixedDialog, recordingShell } from './fake-electron.js';

export type HostKind = 'ipc' | 'serve';

export interface ApiHost {
  kind: HostKind;
  api: Api;
  transport: ApiTransport;
  engine: Engine;
  /** Resolves when events subscribed so far will be delivered (serve: the WebSocket is open). */
  eventsReady(): Promise<void>;
  /** Files the host opened and revealed (paths). */
  opened: string[];
  revealed: string[];
  /** Raw entry points, for the security tests. */
  ipc?: { ipcMain: FakeIpcMain; page: FakePage; dispatch: Dispatch };
  serve?: ServeServer;
  close(): Promise<void>;
}

function engineEvents(engine: Engine) {
  return (listener: (event: EventName, payload: unknown) => void) => {
    const offs = EVENT_NAMES.map((event) => engine.on(event, (payload) => listener(event, payload)));
    return () => offs.forEach((off) => off());
  };
}

export async function startApiHost(kind: HostKind, fixture: ApiFixture, options: { rendererDir?: string } = {}): Promise<ApiHost> {
  const engine = await fixture.openEngine();
  if (kind === 'ipc') {
    const shell = recordingShell();
    const { dispatch } = createMainApi({ engine, shell, dialog: fixedDialog([fixture.folders.spare]), window: () => undefined, version: '0.1.0-test' });
    const ipcMain = new FakeIpcMain();
    const page = new FakePage(ipcMain);
    const unregister = registerIpcHandlers(ipcMain, dispatch);
    const stopEvents = forwardEvents(engineEvents(engine), () => [page.webContents]);
    const transport = page.runPreload();
    return {
      kind,
      api: createApiClient(transport),
      transport,
      engine,
      eventsReady: async () => {},
      opened: shell.opened,
      revealed: shell.revealed,
      ipc: { ipcMain, page, dispatch },
      async close() {
        stopEvents();
        unregister();
        await engine.close();
      },
    };
  }
  const opened: string[] = [];
  const revealed: string[] = [];
  const run = async (command: OpenCommand) => {
    // The opener's last argument is the file (open) or its folder (reveal on Linux).
    if (command.args.length === 1 && command.command === 'xdg-open' && !fixture.files.includes(command.args[0]!)) revealed.push(command.args[0]!);
    else opened.push(command.args.at(-1)!);
  };
  const server = await startServeApp({ engine, rendererDir: options.rendererDir ?? `${fixture.root}/no-renderer`, version: '0.1.0-test', run });
  const transport = createHttpTransport({ baseUrl: server.origin, token: server.token, WebSocket: WebSocket as unknown as WebSocketConstructorLike, reconnectMs: 50 });
  return {
    kind,
    api: createApiClient(transport),
    transport,
    engine,
    eventsReady: () => transport.eventsConnected(),
    opened,
    revealed,
    serve: server,
    async close() {
      transport.close();
      await server.close(); // closes the engine too
    },
  };
}
