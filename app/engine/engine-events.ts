/** The engine's event channels (progress, download, folders, status): typed listeners, each unsubscribed by the function `on` returns. */
import type { EventName, PayloadOf } from '../api/api-contract.js';

export class EngineEvents {
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();

  on<E extends EventName>(event: E, listener: (payload: PayloadOf<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => void set.delete(listener as (payload: never) => void);
  }

  /** Calls every listener of `event`; a listener that throws does not stop the others (nor the engine). */
  emit<E extends EventName>(event: E, payload: PayloadOf<E>): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as (payload: PayloadOf<E>) => void)(payload);
      } catch {
        /* a front end's bug must not break indexing */
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
