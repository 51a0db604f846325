/**
 * Main's handle on the engine process: starts it, forwards calls and events, and restarts it when it dies.
 *
 * - Calls made while the process starts (or restarts) wait for it; calls in flight when it dies are answered
 *   `closed` ("restarting") — they may or may not have taken effect, so they are not replayed blindly.
 * - Restart backoff doubles from `initialBackoffMs` to `maxBackoffMs`; after `maxAttempts` consecutive failures
 *   (a process that dies before `stableMs` counts as one) the host gives up and every call answers why.
 * - Nothing is lost by a restart: the index reopens at its last commit and its pending files are the queue.
 */
import { ENGINE_METHOD_NAMES, type EngineMethodName, type EventName, type PayloadOf } from '../app/api/api-contract.js';
import type { ApiEngine, EngineHandlers } from '../app/api/api-dispatch.js';
import { errorReply, type ApiReply } from '../app/api/api-reply.js';
import { EngineError, type WireError } from '../app/engine/engine-error.js';
import type { EngineChildLike } from './electron-boundary.js';
import { isFromEngine, type EngineProcessOptions, type FromEngine, type ToEngine } from './engine-protocol.js';

export type EngineHostState = 'starting' | 'ready' | 'restarting' | 'failed' | 'closed';

export interface EngineHostOptions {
  fork(): EngineChildLike;
  open: EngineProcessOptions;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxAttempts?: number;
  /** A process that lived this long before dying resets the failure count (default 30 s). */
  stableMs?: number;
  onState?(state: EngineHostState, detail: string | null): void;
}

interface Pending {
  method: EngineMethodName;
  params: unknown;
  resolve(reply: ApiReply): void;
}

export class EngineHost {
  state: EngineHostState = 'starting';
  /** How many times the process was restarted after dying. */
  restarts = 0;
  private child: EngineChildLike | null = null;
  private nextId = 1;
  private readonly inFlight = new Map<number, Pending>();
  private readonly waiting: Pending[] = [];
  private readonly listeners = new Set<(event: EventName, payload: unknown) => void>();
  private failures = 0;
  private startedAt = 0;
  private failure: WireError | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private firstReady: { resolve(): void; reject(error: Error): void } | null = null;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: EngineHostOptions) {}

  /** Starts the process; resolves when the engine is open (rejects when it cannot open the data folder). */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.firstReady = { resolve, reject };
      this.spawn();
    });
  }

  /** Answers one engine call (never rejects). */
  call(method: EngineMethodName, params: unknown): Promise<ApiReply> {
    if (this.state === 'closed') return Promise.resolve(errorReply('closed', 'the engine was closed'));
    if (this.state === 'failed') return Promise.resolve({ ok: false, error: this.failure ?? { code: 'closed', message: 'the engine process cannot start' } });
    return new Promise((resolve) => {
      const pending = { method, params, resolve };
      if (this.state === 'ready' && this.child) this.send(pending);
      else if (this.waiting.length >= 1000) resolve(errorReply('closed', 'the engine is restarting and 1000 calls are already waiting'));
      else this.waiting.push(pending);
    });
  }

  subscribe(listener: (event: EventName, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** The engine as the dispatcher wants it: one async function per engine method, events, close. */
  engine(): ApiEngine {
    const handlers = {} as Record<EngineMethodName, (params: unknown) => Promise<unknown>>;
    for (const method of ENGINE_METHOD_NAMES) {
      handlers[method] = async (params) => {
        const reply = await this.call(method, params);
        if (reply.ok) return reply.result;
        throw new EngineError(reply.error.code, reply.error.message, reply.error.details);
      };
    }
    return {
      ...(handlers as unknown as EngineHandlers),
      on: <E extends EventName>(event: E, listener: (payload: PayloadOf<E>) => void) =>
        this.subscribe((name, payload) => {
          if (name === event) listener(payload as PayloadOf<E>);
        }),
      close: () => this.close(),
    };
  }

  /** Asks the engine to close (it commits nothing half-done), waits for the process to exit (killed after 10 s). */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.restartTimer) clearTimeout(this.restartTimer);
      const child = this.child;
      this.setState('closed', null);
      this.answerAll(errorReply('closed', 'the engine was closed'));
      if (!child) return resolve();
      const timer = setTimeout(() => child.kill(), 10_000);
      child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        child.postMessage({ type: 'close' } satisfies ToEngine);
      } catch {
        child.kill();
      }
    });
    return this.closing;
  }

  private spawn(): void {
    this.setState(this.restarts === 0 && this.failures === 0 ? 'starting' : 'restarting', null);
    const child = this.options.fork();
    this.child = child;
    this.startedAt = Date.now();
    child.on('message', (message) => {
      if (this.child === child && isFromEngine(message)) this.receive(message);
    });
    child.on('exit', (code) => {
      if (this.child !== child) return;
      this.child = null;
      this.died(code);
    });
    child.postMessage({ type: 'open', options: this.options.open } satisfies ToEngine);
  }

  private receive(message: FromEngine): void {
    switch (message.type) {
      case 'ready': {
        this.setState('ready', message.role);
        this.firstReady?.resolve();
        this.firstReady = null;
        for (const pending of this.waiting.splice(0)) this.send(pending);
        // After a restart the page's view of the engine (model, progress) is stale: push a fresh status.
        if (this.restarts > 0) {
          void this.call('status', {}).then((reply) => {
            if (reply.ok) for (const listener of this.listeners) listener('status', reply.result);
          });
        }
        return;
      }
      case 'open-failed': {
        // Not a crash: the data folder cannot be opened; restarting would fail the same way.
        this.failure = message.error;
        this.setState('failed', message.error.message);
        this.answerAll({ ok: false, error: message.error });
        this.firstReady?.reject(new EngineError(message.error.code, message.error.message));
        this.firstReady = null;
        this.child?.kill();
        return;
      }
      case 'reply': {
        const pending = this.inFlight.get(message.id);
        this.inFlight.delete(message.id);
        pending?.resolve(message.reply);
        return;
      }
      case 'event':
        for (const listener of this.listeners) listener(message.event, message.payload);
        return;
      case 'closed':
        return;
    }
  }

  private send(pending: Pending): void {
    const id = this.nextId++;
    this.inFlight.set(id, pending);
    try {
      this.child!.postMessage({ type: 'call', id, method: pending.method, params: pending.params } satisfies ToEngine);
    } catch (error) {
      this.inFlight.delete(id);
      pending.resolve(errorReply('internal', `${pending.method}: cannot reach the engine process: ${(error as Error).message}`));
    }
  }

  private died(code: number | null): void {
    if (this.state === 'closed' || this.state === 'failed') return;
    const why = `the engine process stopped (exit code ${code ?? 'none: killed'})`;
    for (const [id, pending] of this.inFlight) {
      this.inFlight.delete(id);
      pending.resolve(errorReply('closed', `${pending.method}: ${why} while answering; it is restarting, try again`));
    }
    this.failures = Date.now() - this.startedAt >= (this.options.stableMs ?? 30_000) ? 1 : this.failures + 1;
    if (this.failures > (this.options.maxAttempts ?? 8)) {
      this.failure = { code: 'closed', message: `${why}; it failed ${this.failures} times in a row, so it is not restarted again` };
      this.setState('failed', this.failure.message);
      this.answerAll({ ok: false, error: this.failure });
      this.firstReady?.reject(new Error(this.failure.message));
      this.firstReady = null;
      return;
    }
    const initial = this.options.initialBackoffMs ?? 250;
    const delay = Math.min(initial * 2 ** (this.failures - 1), this.options.maxBackoffMs ?? 10_000);
    this.setState('restarting', `${why}; restarting in ${delay} ms`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restarts++;
      this.spawn();
    }, delay);
  }

  private answerAll(reply: ApiReply): void {
    for (const pending of [...this.inFlight.values(), ...this.waiting.splice(0)]) pending.resolve(reply);
    this.inFlight.clear();
  }

  private setState(state: EngineHostState, detail: string | null): void {
    this.state = state;
    this.options.onState?.(state, detail);
  }
}
