/**
 * Stale-response handling for search-as-you-type: a latest-wins request sequencer. Every `run` supersedes the
 * ones before it: their AbortSignals fire (so a transport can cancel) and, whatever order the answers arrive in,
 * only the newest request's answer is delivered; older ones resolve as `{ stale: true }` and are dropped.
 */
export type Outcome<T> = { stale: false; value: T } | { stale: true };

export class LatestWins {
  #seq = 0;
  #controller: AbortController | null = null;

  /** Runs `task`; resolves with its value only if no newer `run` (or `cancel`) happened meanwhile. Errors of stale tasks are swallowed. */
  async run<T>(task: (signal: AbortSignal) => Promise<T>): Promise<Outcome<T>> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    const seq = ++this.#seq;
    try {
      const value = await task(controller.signal);
      return seq === this.#seq ? { stale: false, value } : { stale: true };
    } catch (error) {
      if (seq !== this.#seq) return { stale: true };
      throw error;
    } finally {
      if (this.#controller === controller && seq === this.#seq) this.#controller = null;
    }
  }

  /** Makes every pending request stale (e.g. the query was cleared). */
  cancel(): void {
    this.#seq++;
    this.#controller?.abort();
    this.#controller = null;
  }

  /** True while the newest request has not answered. */
  get pending(): boolean {
    return this.#controller !== null;
  }
}

/**
 * At most one request in flight; while one runs, only the newest of the calls made meanwhile is kept and runs
 * next (the others never reach the engine). With a slow engine, typing ten characters then costs two searches, not
 * a queue of ten whose last answer comes ten searches late. `onSuperseded` runs when a call arrives during a run,
 * so the caller can mark the running request's answer stale.
 */
export class Coalescer<A> {
  #running = false;
  #next: { arg: A } | null = null;
  readonly #run: (arg: A) => Promise<void>;
  readonly #onSuperseded: () => void;

  constructor(run: (arg: A) => Promise<void>, onSuperseded: () => void = () => {}) {
    this.#run = run;
    this.#onSuperseded = onSuperseded;
  }

  push(arg: A): void {
    if (this.#running) {
      this.#next = { arg };
      this.#onSuperseded();
      return;
    }
    void this.#loop(arg);
  }

  get running(): boolean {
    return this.#running;
  }

  async #loop(first: A): Promise<void> {
    this.#running = true;
    let current: { arg: A } | null = { arg: first };
    try {
      while (current) {
        this.#next = null;
        try {
          await this.#run(current.arg);
        } catch {
          // The runner reports its own errors; a failure must not stop the queue.
        }
        current = this.#next;
      }
    } finally {
      this.#running = false;
    }
  }
}
