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

describe('coalescer (one request in flight, the newest waiting)', () => {
  it('runs the first call at once, keeps only the newest of those made meanwhile, and runs it next', async () => {
    const { Coalescer } = await import('../../renderer/src/lib/latest-wins.js');
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred<void>>>();
    let superseded = 0;
    const c = new Coalescer<string>((q) => {
      started.push(q);
      const gate = deferred<void>();
      gates.set(q, gate);
      return gate.promise;
    }, () => superseded++);
    c.push('s');
    c.push('st');
    c.push('sta');
    c.push('star');
    assert.deepEqual(started, ['s']);
    assert.equal(superseded, 3);
    gates.get('s')!.resolve();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, ['s', 'star']);
    gates.get('star')!.reject(new Error('boom'));
    await new Promise((r) => setImmediate(r));
    assert.equal(c.running, false);
    c.push('stars');
    assert.deepEqual(started, ['s', 'star', 'stars']);
  });
});
