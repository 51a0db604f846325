import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireLock, type HeldLock } from '../../app/hub/file-lock.js';

/** Resolves to the promise's value, or fails naming `what` when it has not settled within `ms`: a broken lock fails here instead of hanging. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** 'pending' while the promise has not settled after `ms` (several heartbeats, so a waiter had time to look again). */
async function stateAfter(promise: Promise<unknown>, ms: number): Promise<'settled' | 'pending'> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(ms);
  return settled ? 'settled' : 'pending';
}

function owner(path: string): { pid?: unknown; host?: unknown } {
  return JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; host?: unknown };
}

describe('acquireLock', () => {
  it('makes a second holder wait until the first releases', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lock-')), 'sub', 'x.lock');
    const first = await acquireLock(path, { heartbeatMs: 10 });
    assert.deepEqual(owner(path).pid, process.pid, 'the lock file names its holder');
    const second = acquireLock(path, { heartbeatMs: 10 });
    assert.equal(await stateAfter(second, 60), 'pending', 'the second holder waits while the first holds the lock');
    assert.equal(existsSync(path), true);
    await first.release();
    const lock: HeldLock = await within(second, 5_000, 'the second holder to get the lock once the first released it');
    assert.equal(existsSync(path), true, 'the second holder wrote its own lock file');
    await lock.release();
    assert.equal(existsSync(path), false, 'release removes the lock file');
  });

  it('takes over the lock of a dead process on this host, and one not touched for too long', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'lock-'));
    const dead = join(folder, 'dead.lock');
    writeFileSync(dead, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname() }));
    const fromDead = await within(acquireLock(dead, { heartbeatMs: 10 }), 5_000, 'the takeover of a dead process lock');
    assert.equal(owner(dead).pid, process.pid, 'the dead holder was replaced');
    await fromDead.release();

    const old = join(folder, 'old.lock');
    writeFileSync(old, 'written by someone else');
    const past = new Date(Date.now() - 60_000);
    utimesSync(old, past, past);
    const fromStale = await within(acquireLock(old, { heartbeatMs: 10, staleMs: 30_000 }), 5_000, 'the takeover of a lock untouched for 60 s');
    assert.equal(owner(old).pid, process.pid, 'the stale holder was replaced');
    await fromStale.release();
  });

  it('waits on a live lock of another process until its heartbeat stops', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lock-')), 'live.lock');
    writeFileSync(path, JSON.stringify({ pid: process.ppid, host: hostname() }));
    const attempt = acquireLock(path, { heartbeatMs: 10, staleMs: 60_000 });
    assert.equal(await stateAfter(attempt, 100), 'pending', 'a live holder on this host keeps the lock');
    assert.equal(owner(path).pid, process.ppid, 'the waiter left the holder’s file alone');
    const past = new Date(Date.now() - 120_000);
    utimesSync(path, past, past); // the holder stopped its heartbeat
    const lock = await within(attempt, 5_000, 'the takeover once the live holder stopped touching its file');
    assert.equal(owner(path).pid, process.pid);
    await lock.release();
  });
});
