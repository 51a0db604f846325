/**
 * The engine process's entry: opens the Engine on the data folder it is told, answers calls, pushes events.
 * Runs as an Electron utilityProcess (`process.parentPort`) or, in tests, under child_process.fork
 * (`process.send`). onnxruntime and indexing run here, so the window never freezes; a crash here is a restart in
 * main, and the index reopens at its last commit.
 */
import { ENGINE_METHOD_NAMES, EVENT_NAMES, type EngineMethodName } from '../app/api/api-contract.js';
import { okReply } from '../app/api/api-reply.js';
import { Engine } from '../app/engine/engine.js';
import { toWireError } from '../app/engine/engine-error.js';
import type { FromEngine, ToEngine } from './engine-protocol.js';

interface ParentPort {
  on(event: 'message', listener: (message: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const send = (message: FromEngine) => (parentPort ? parentPort.postMessage(message) : process.send?.(message));
const onMessage = (listener: (message: ToEngine) => void) =>
  parentPort ? parentPort.on('message', (event) => listener(event.data as ToEngine)) : process.on('message', (message) => listener(message as ToEngine));

// A rejection nobody handles is a bug: crash, so that main restarts a clean process (utility processes only warn).
process.on('unhandledRejection', (error) => {
  console.error('engine process: unhandled rejection', error);
  process.exit(70);
});

let engine: Engine | undefined;

onMessage((message) => {
  void (async () => {
    switch (message.type) {
      case 'open': {
        if (engine) return;
        try {
          engine = await Engine.open({ ...message.options, env: process.env, processName: 'splade-search app' });
        } catch (error) {
          send({ type: 'open-failed', error: toWireError(error) });
          return;
        }
        for (const event of EVENT_NAMES) engine.on(event, (payload) => send({ type: 'event', event, payload }));
        send({ type: 'ready', role: engine.role });
        return;
      }
      case 'call': {
        const method = message.method as EngineMethodName;
        if (!engine || !ENGINE_METHOD_NAMES.includes(method)) {
          send({ type: 'reply', id: message.id, reply: { ok: false, error: { code: engine ? 'unknown-method' : 'closed', message: `${String(method)}: not answered by the engine process` } } });
          return;
        }
        try {
          const result = await (engine[method] as (params: unknown) => Promise<unknown>)(message.params);
          send({ type: 'reply', id: message.id, reply: okReply(result) });
        } catch (error) {
          send({ type: 'reply', id: message.id, reply: { ok: false, error: toWireError(error) } });
        }
        return;
      }
      case 'close': {
        await engine?.close();
        engine = undefined;
        send({ type: 'closed' });
        setImmediate(() => process.exit(0));
        return;
      }
    }
  })();
});
