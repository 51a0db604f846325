import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LatestWins } from '../../renderer/src/lib/latest-wins.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('latest-wins request sequencer (stale responses dropped)', () => {
  it('delivers only the newest answer when older ones arrive later', async () => {
    const seq = new LatestWins();
    const a = deferred<string>();
    const b = deferred<string>();
    const first = seq.run(() => a.promise);
    const second = seq.run(() => b.promise);
    b.resolve('new');
    a.resolve('old');
    assert.deepEqual(await second, { stale: false, value: 'new' });
    assert.deepEqual(await first, { stale: true });
  });

  it('drops an older answer that arrives first, and aborts its signal', async () => {
    const seq = new LatestWins();
    const a = deferred<string>();
    let signalA: AbortSignal | null = null;
    const first = seq.run((signal) => {
      signalA = signal;
      return a.promise;
    });
    const second = seq.run(async () => 'new');
    a.resolve('old');
    assert.deepEqual(await first, { stale: true });
    assert.equal(signalA!.aborted, true);
    assert.deepEqual(await second, { stale: false, value: 'new' });
    assert.equal(seq.pending, false);
  });

  it('swallows errors of stale requests and passes on errors of the newest', async () => {
    const seq = new LatestWins();
    const a = deferred<string>();
    const first = seq.run(() => a.promise);
    const second = seq.run(async () => {
      throw new Error('index busy');
    });
    a.reject(new Error('aborted'));
    assert.deepEqual(await first, { stale: true });
    await assert.rejects(second, /index busy/);
  });

  it('cancel makes the pending request stale (query cleared)', async () => {
    const seq = new LatestWins();
    const a = deferred<number>();
    const first = seq.run(() => a.promise);
    assert.equal(seq.pending, true);
    seq.cancel();
    a.resolve(1);
    assert.deepEqual(await first, { stale: true });
    assert.equal(seq.pending, false);
  });
});
