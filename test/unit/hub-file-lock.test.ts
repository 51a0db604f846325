import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../../app/hub/file-lock.js';

describe('acquireLock', () => {
  it('makes a second holder wait until the first releases', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lock-')), 'sub', 'x.lock');
    const order: string[] = [];
    const first = await acquireLock(path, { heartbeatMs: 10 });
    const second = acquireLock(path, { heartbeatMs: 10 }).then((lock) => {
      order.push('second');
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    order.push('first releases');
    await first.release();
    await (await second).release();
    assert.deepEqual(order, ['first releases', 'second']);
    assert.equal(existsSync(path), false);
  });

  it('takes over the lock of a dead process on this host, and one not touched for too long', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'lock-'));
    const dead = join(folder, 'dead.lock');
    writeFileSync(dead, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname() }));
    await (await acquireLock(dead, { heartbeatMs: 10 })).release();

    const old = join(folder, 'old.lock');
    writeFileSync(old, 'written by someone else');
    const past = new Date(Date.now() - 60_000);
    utimesSync(old, past, past);
    await (await acquireLock(old, { heartbeatMs: 10, staleMs: 30_000 })).release();
  });

  it('waits on a live lock of another process', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lock-')), 'live.lock');
    writeFileSync(path, JSON.stringify({ pid: process.ppid, host: hostname() }));
    const attempt = acquireLock(path, { heartbeatMs: 10, staleMs: 60_000 });
    const outcome = await Promise.race([attempt.then(() => 'acquired'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 100))]);
    assert.equal(outcome, 'waiting');
    const past = new Date(Date.now() - 120_000);
    utimesSync(path, past, past); // the holder stopped its heartbeat
    await (await attempt).release();
  });
});
