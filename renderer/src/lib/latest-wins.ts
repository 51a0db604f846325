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
