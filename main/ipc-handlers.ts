/**
 * The main process's IPC: one `ipcMain.handle` per contract method (channel `api:<method>`), each checking the
 * sender's frame is an app page and handing the message to the one dispatcher, which validates it and answers an
 * `ApiReply` (never a thrown error: Electron would keep only its message). Events go to every app window.
 */
import { EVENT_NAMES, METHOD_NAMES, type EventName } from '../app/api/api-contract.js';
import type { Dispatch } from '../app/api/api-dispatch.js';
import { errorReply } from '../app/api/api-reply.js';
import { callChannel, eventChannel } from '../app/api/ipc-channels.js';
import type { IpcMainLike, WebContentsLike } from './electron-boundary.js';
import { isAppUrl } from './security.js';

export function registerIpcHandlers(ipcMain: IpcMainLike, dispatch: Dispatch, isTrusted: (frameUrl: string | null) => boolean = isAppUrl): () => void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(callChannel(method), async (event, ...args) => {
      const frameUrl = event?.senderFrame?.url ?? null;
      if (!isTrusted(frameUrl)) return errorReply('forbidden', `${method}: the sender (${JSON.stringify(frameUrl)}) is not an app page`);
      if (args.length > 1) return errorReply('invalid-request', `${method}: one parameters object expected, got ${args.length} arguments`);
      return dispatch(method, args[0]);
    });
  }
  return () => METHOD_NAMES.forEach((method) => ipcMain.removeHandler(callChannel(method)));
}

/** Forwards every event from `subscribe` to the live windows' pages; returns the unsubscribe. */
export function forwardEvents(
  subscribe: (listener: (event: EventName, payload: unknown) => void) => () => void,
  targets: () => WebContentsLike[],
): () => void {
  return subscribe((event, payload) => {
    if (!EVENT_NAMES.includes(event)) return;
    for (const contents of targets()) if (!contents.isDestroyed()) contents.send(eventChannel(event), payload);
  });
}
