/**
 * The fake of Electron's utilityProcess for tests: the real engine process entry (main/engine-process.ts) under
 * child_process.fork with tsx, behind the same `EngineChildLike` boundary main uses.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EngineChildLike } from '../../main/electron-boundary.js';

export const ENGINE_PROCESS_ENTRY = fileURLToPath(new URL('../../main/engine-process.ts', import.meta.url));

export function forkEngineChild(onSpawn?: (child: ChildProcess) => void): EngineChildLike {
  const child = fork(ENGINE_PROCESS_ENTRY, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, HF_HUB_OFFLINE: '1' } });
  onSpawn?.(child);
  return {
    postMessage: (message) => void child.send(message as object),
    on: ((event: 'message' | 'exit', listener: (value: unknown) => void) => child.on(event, listener)) as EngineChildLike['on'],
    kill: () => child.kill(),
    get pid() {
      return child.pid;
    },
  };
}
