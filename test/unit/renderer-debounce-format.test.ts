import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Debouncer, type Timers } from '../../renderer/src/lib/debounce.js';
import { displayFolder, formatBytes, formatDate, formatEta, formatLocation, formatRate, formatWeight } from '../../renderer/src/lib/format.js';
import { moveSelection } from '../../renderer/src/lib/list-navigation.js';

/** A manual clock: timers fire only when advanced. */
function manualTimers() {
  let now = 0;
  let next = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    set: (fn, ms) => {
      const id = next++;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clear: (handle) => void pending.delete(handle as number),
  };
  return {
    timers,
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...pending]) if (t.at <= now) {
        pending.delete(id);
        t.fn();
      }
    },
    get count() {
      return pending.size;
    },
  };
}

describe('debouncer', () => {
  it('runs only the last call, once the caller is quiet for the delay', () => {
    const clock = manualTimers();
    const d = new Debouncer(120, clock.timers);
    const calls: string[] = [];
    d.call(() => calls.push('s'));
    clock.advance(100);
    d.call(() => calls.push('st'));
    clock.advance(100);
    d.call(() => calls.push('sta'));
    assert.deepEqual(calls, []);
    clock.advance(119);
    assert.deepEqual(calls, []);
    clock.advance(1);
    assert.deepEqual(calls, ['sta']);
    assert.equal(clock.count, 0);
  });

  it('flush runs the waiting call at once; cancel drops it', () => {
    const clock = manualTimers();
    const d = new Debouncer(120, clock.timers);
    const calls: string[] = [];
    d.call(() => calls.push('a'));
    d.flush();
    assert.deepEqual(calls, ['a']);
    d.call(() => calls.push('b'));
    d.cancel();
    clock.advance(1000);
    assert.deepEqual(calls, ['a']);
    assert.equal(d.waiting, false);
  });
});

describe('formatting', () => {
  it('bytes and rates', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(420 * 1024 * 1024), '420 MB');
    assert.equal(formatBytes(null), '—');
    assert.equal(formatRate(2.5 * 1024 * 1024), '2.5 MB/s');
  });

  it('ETA', () => {
    assert.equal(formatEta(45.4), '45 s');
    assert.equal(formatEta(185), '3 min 5 s');
    assert.equal(formatEta(120), '2 min');
    assert.equal(formatEta(2 * 3600 + 10 * 60), '2 h 10 min');
    assert.equal(formatEta(3599.9), '1 h');
    assert.equal(formatEta(null), 'unknown');
    assert.equal(formatEta(Infinity), 'unknown');
  });

  it('dates relative to now, else the local date', () => {
    const now = new Date(2025, 5, 15, 18, 0).getTime();
    assert.equal(formatDate(new Date(2025, 5, 15, 9, 5).getTime(), now), 'today 09:05');
    assert.equal(formatDate(new Date(2025, 5, 14, 23, 59).getTime(), now), 'yesterday 23:59');
    assert.equal(formatDate(new Date(2024, 0, 7).getTime(), now), '2024-01-07');
    assert.equal(formatDate(null, now), 'unknown date');
  });

  it('weights, locations and folders', () => {
    assert.equal(formatWeight(12.345), '12.3');
    assert.equal(formatWeight(0.8421), '0.84');
    assert.equal(formatWeight(2.5), '2.50');
    assert.equal(formatLocation({ page: 3, line: null, ordinal: 0 }), 'page 3');
    assert.equal(formatLocation({ page: null, line: 120, ordinal: 4 }), 'line 120');
    assert.equal(formatLocation({ page: null, line: null, ordinal: 4 }), 'passage 5');
    assert.equal(displayFolder('/home/me/notes/astro/stars.md', '/home/me/notes'), 'notes/astro');
    assert.equal(displayFolder('/home/me/notes/stars.md', '/home/me/notes'), '/home/me/notes');
  });
});

describe('list navigation', () => {
  it('moves, clamps at both ends, and starts from nothing selected', () => {
    assert.equal(moveSelection(-1, 'ArrowDown', 5), 0);
    assert.equal(moveSelection(4, 'ArrowDown', 5), 4);
    assert.equal(moveSelection(0, 'ArrowUp', 5), 0);
    assert.equal(moveSelection(2, 'End', 5), 4);
    assert.equal(moveSelection(2, 'PageDown', 50, 10), 12);
    assert.equal(moveSelection(3, 'PageUp', 50, 10), 0);
    assert.equal(moveSelection(3, 'ArrowDown', 0), -1);
  });
});
