/**
 * The preload contract, with Electron's contextBridge and ipcRenderer faked: it exposes one bridge
 * (`spladeIpc` with `call` and `subscribe`), calls reach `api:<method>` for exactly the contract's methods,
 * unknown ones never leave the page, listeners get the payload and never the IPC event, unsubscribe works.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_NAMES, METHOD_NAMES } from '../../app/api/api-contract.js';
import { createApiClient } from '../../app/api/api-client.js';
import { connectApi } from '../../app/api/connect-api.js';
import { IPC_BRIDGE_GLOBAL, callChannel, eventChannel } from '../../app/api/ipc-channels.js';
import { exposeIpcBridge, type IpcRendererLike } from '../../main/preload-bridge.js';

function fakeRenderer() {
  const invoked: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const ipcRenderer: IpcRendererLike = {
    async invoke(channel, ...args) {
      invoked.push({ channel, args });
      return { ok: true, result: { channel } };
    },
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
    },
  };
  const exposed: Record<string, unknown> = {};
  exposeIpcBridge({ exposeInMainWorld: (key, api) => (exposed[key] = api) }, ipcRenderer);
  return { invoked, listeners, exposed };
}

describe('preload bridge', () => {
  it('exposes one global with call and subscribe, functions only', () => {
    const { exposed } = fakeRenderer();
    assert.deepEqual(Object.keys(exposed), [IPC_BRIDGE_GLOBAL]);
    const bridge = exposed[IPC_BRIDGE_GLOBAL] as Record<string, unknown>;
    assert.deepEqual(Object.keys(bridge).sort(), ['call', 'subscribe']);
    assert.ok(!('invoke' in bridge) && !('ipcRenderer' in bridge));
  });

  it('sends each contract method on its own channel with the parameters, and refuses the rest locally', async () => {
    const { invoked, exposed } = fakeRenderer();
    const api = connectApi(exposed);
    for (const method of METHOD_NAMES) {
      const result = await (api[method] as (p: unknown) => Promise<unknown>)({ marker: method });
      assert.deepEqual(result, { channel: callChannel(method) });
    }
    assert.deepEqual(invoked.map((call) => call.channel), METHOD_NAMES.map((method) => `api:${method}`));
    assert.deepEqual(invoked[0]!.args, [{ marker: METHOD_NAMES[0] }]);
    const bridge = exposed[IPC_BRIDGE_GLOBAL] as { call(m: unknown, p: unknown): Promise<{ ok: boolean; error?: { code: string } }> };
    for (const name of ['nope', '__proto__', 'constructor', 'toString', 42, null]) {
      const reply = await bridge.call(name, {});
      assert.equal(reply.ok, false);
      assert.equal(reply.error!.code, 'unknown-method');
    }
    assert.equal(invoked.length, METHOD_NAMES.length, 'nothing else was sent');
  });

  it('delivers event payloads without the IPC event, and unsubscribes', () => {
    const { listeners, exposed } = fakeRenderer();
    const api = createApiClient(exposed[IPC_BRIDGE_GLOBAL] as never);
    for (const event of EVENT_NAMES) {
      const got: unknown[][] = [];
      const off = api.on(event, (...args: unknown[]) => got.push(args));
      const [listener] = [...listeners.get(eventChannel(event))!];
      listener!({ sender: { send() {} } }, { payload: event });
      assert.deepEqual(got, [[{ payload: event }]]);
      off();
      assert.equal(listeners.get(eventChannel(event))!.size, 0);
    }
    assert.throws(() => api.on('nope' as never, () => {}), /unknown event/);
  });
});
