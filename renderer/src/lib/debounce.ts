/**
 * Debouncing for search-as-you-type: `call(fn)` runs `fn` once the caller has been quiet for `delayMs`; each new
 * call replaces the waiting one. `flush()` runs the waiting call now (Enter in the search box), `cancel()` drops it.
 * The timer functions are injectable so the behaviour is tested without waiting.
 */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Debouncer {
  #handle: unknown = null;
  #waiting: (() => void) | null = null;
  readonly delayMs: number;
  readonly #timers: Timers;

  constructor(delayMs: number, timers: Timers = realTimers) {
    this.delayMs = delayMs;
    this.#timers = timers;
  }

  call(fn: () => void): void {
    this.cancel();
    this.#waiting = fn;
    this.#handle = this.#timers.set(() => this.flush(), this.delayMs);
  }

  flush(): void {
    const fn = this.#waiting;
    this.cancel();
    fn?.();
  }

  cancel(): void {
    if (this.#handle !== null) this.#timers.clear(this.#handle);
    this.#handle = null;
    this.#waiting = null;
  }

  get waiting(): boolean {
    return this.#waiting !== null;
  }
}
