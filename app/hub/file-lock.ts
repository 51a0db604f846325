/** A lock file that keeps two processes (say the app and the CLI) from writing the same `.incomplete` blob at once. */
import { hostname } from 'node:os';
import { mkdir, open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HubError } from './hub-error.js';

/** A held lock; `release` is idempotent. */
export interface HeldLock {
  release(): Promise<void>;
}

export interface LockOptions {
  /** A lock whose file was not touched for this long is taken over (its holder died or hung). Default 30 s. */
  staleMs?: number;
  /** How often the holder touches the file, and how often a waiter looks again. Default 1 s. */
  heartbeatMs?: number;
  signal?: AbortSignal | undefined;
}

/** Processes of this module that hold a lock: a second request in the same process waits on the first. */
const heldHere = new Map<string, Promise<void>>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(path: string, staleMs: number): Promise<boolean> {
  try {
    const info = await stat(path);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const owner = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown; host?: unknown };
    return owner.host === hostname() && typeof owner.pid === 'number' && owner.pid !== process.pid && !processAlive(owner.pid);
  } catch {
    return false; // vanished or half-written: look again
  }
}

/** Takes the lock at `path`, waiting while another live holder has it. */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<HeldLock> {
  const staleMs = options.staleMs ?? 30_000;
  const heartbeatMs = options.heartbeatMs ?? 1_000;
  for (;;) {
    const inProcess = heldHere.get(path);
    if (inProcess) {
      await inProcess;
      continue;
    }
    let releaseHere!: () => void;
    heldHere.set(path, new Promise<void>((resolve) => (releaseHere = resolve)));
    const giveUpHere = () => {
      heldHere.delete(path);
      releaseHere();
    };
    try {
      await mkdir(dirname(path), { recursive: true });
      const handle = await open(path, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      await handle.close();
    } catch (error) {
      giveUpHere();
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isStale(path, staleMs)) {
        await rm(path, { force: true });
        continue;
      }
      if (options.signal?.aborted) throw new HubError('aborted', 'The model download was cancelled', { cause: options.signal.reason });
      await sleep(heartbeatMs);
      continue;
    }
    const heartbeat = setInterval(() => {
      const now = new Date();
      utimes(path, now, now).catch(() => undefined);
    }, heartbeatMs);
    heartbeat.unref();
    let released = false;
    return {
      async release() {
        if (released) return;
        released = true;
        clearInterval(heartbeat);
        await rm(path, { force: true });
        giveUpHere();
      },
    };
  }
}
