/**
 * A small pool of long-lived worker threads running the extractors, so that a hostile file can never stall or
 * crash the pipeline: each job has a time budget (base + per MiB + per PDF page) enforced by terminating its
 * worker; each worker has a V8 heap limit (`resourceLimits`); Buffer memory, which heap limits do not cap, is
 * bounded by the size cap and the ZIP guard before inflating, and watched by an RSS watchdog that kills the
 * largest running job when the process grows past its allowance. Workers are recycled after N files or when their
 * heap stays high, and respawned after every kill. Failures come back as IngestError with a closed code.
 *
 * Why threads and not processes: a persistent worker extracts a 2-page PDF in ~5 ms against 350-700 ms for a
 * fresh one (reference §8); inside Electron the engine runs in a utility process, so a native crash takes down
 * that process, not the window.
 */
import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/start-worker.js';
import type { Extraction } from './extract/extraction.js';
import { DEFAULT_MAX_TEXT_CHARS } from './extract/extract-file.js';
import type { ZipLimits } from './extract/zip-guard.js';
import type { FromExtractor, ToExtractor } from './extractor-protocol.js';
import type { SplitExtraction, WorkerSplit } from './worker-split.js';
import type { FileKind } from './file-types.js';
import { DEFAULT_MAX_FILE_BYTES } from './ignore-rules.js';
import { IngestError, type IngestErrorCode } from './ingest-error.js';

export interface TimeBudget {
  /** Every job gets this much (default 2000 ms). */
  baseMs: number;
  /** Plus this per MiB of input (default 1000 ms). */
  perMiBMs: number;
  /** Plus this per PDF page, added once the page count is known (default 100 ms). */
  perPageMs: number;
  /**
   * Splitting in the worker: plus this per million characters of extracted text, added when a text of 100,000
   * characters or more is about to be split (default 2000 ms; tokenizing runs at ~1 M tokens/s on a loaded
   * 2-core machine and a million characters are ~250 k tokens). Shorter texts split within the base budget.
   */
  perMillionSplitCharsMs: number;
}

export interface ExtractorPoolOptions {
  /** Worker threads (default: cores - 1, at least 1, at most 4). */
  size?: number;
  /** V8 old-generation limit per worker in MiB (default 512). */
  maxOldGenerationSizeMb?: number;
  /** Replace a worker after this many files (default 5000), bounding slow leaks in the libraries (a new worker costs ~0.5 s of pdf.js loading). */
  recycleAfter?: number;
  /** Replace a worker whose heap is above this after a job, in bytes (default half the heap limit). */
  recycleHeapBytes?: number;
  budget?: Partial<TimeBudget>;
  /** Kill the largest running job when process RSS grows more than this above its level at the job's start (default 1 GiB). */
  maxRssGrowthBytes?: number;
  /** RSS watchdog interval (default 200 ms). */
  watchdogMs?: number;
  maxFileBytes?: number;
  maxTextChars?: number;
  zipLimits?: ZipLimits;
  /** The split `extractPassages` does when its request names none. */
  split?: WorkerSplit;
}

export interface ExtractRequest {
  /** Extract as this kind instead of the one the name says. */
  kind?: FileKind;
  /** Cancels the job: removed from the queue, or its worker terminated (rejects with 'aborted'). */
  signal?: AbortSignal;
  /** The file's size when the caller knows it (the scanner does): sizes the time budget without another stat. */
  size?: number;
  /** `extractPassages` only: split with these options instead of the pool's `split`. */
  split?: WorkerSplit;
}

export interface PoolStats {
  workers: number;
  busy: number;
  queued: number;
  completed: number;
  failed: number;
  /** Workers terminated for a timeout, OOM, RSS or abort, or that crashed. */
  killed: number;
  recycled: number;
}

export const DEFAULT_BUDGET: TimeBudget = { baseMs: 2000, perMiBMs: 1000, perPageMs: 100, perMillionSplitCharsMs: 2000 };

interface Job {
  id: number;
  path: string;
  kind?: FileKind;
  size: number;
  split?: WorkerSplit;
  resolve: (e: Extraction | SplitExtraction) => void;
  reject: (e: IngestError) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  /** Settled already (aborted while waiting in a worker's queue); the worker's result is dropped. */
  settled?: boolean;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** Jobs sent to this worker, in order: `jobs[0]` runs (its deadline is armed), the rest wait in the worker. */
  jobs: Job[];
  jobsDone: number;
  deadline: NodeJS.Timeout | null;
  deadlineAt: number;
  startRss: number;
  startedAt: number;
  /** Budget left when the job paused for pdf.js to load. */
  pausedLeft: number;
  /** Set once the slot is being torn down, so late events from its worker are ignored. */
  dead: boolean;
}

/** Jobs sent ahead to each worker, so it never idles waiting for the next message (2 thread wake-ups per file under load). */
const PREFETCH = 3;

/** Worker deaths before 'ready' in a row after which queued jobs are failed instead of retried forever. */
const MAX_START_FAILURES = 3;

export class ExtractorPool {
  readonly size: number;
  private readonly options: Required<Omit<ExtractorPoolOptions, 'budget' | 'zipLimits' | 'size' | 'split'>> & { zipLimits?: ZipLimits; split?: WorkerSplit };
  private readonly budget: TimeBudget;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private startFailures = 0;
  private watchdog: NodeJS.Timeout | null = null;
  private readonly counters = { completed: 0, failed: 0, killed: 0, recycled: 0 };

  constructor(options: ExtractorPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? Math.min(4, availableParallelism() - 1)));
    const heapMb = options.maxOldGenerationSizeMb ?? 512;
    this.options = {
      maxOldGenerationSizeMb: heapMb,
      recycleAfter: options.recycleAfter ?? 5000,
      recycleHeapBytes: options.recycleHeapBytes ?? (heapMb * 1024 * 1024) / 2,
      maxRssGrowthBytes: options.maxRssGrowthBytes ?? 1024 * 1024 * 1024,
      watchdogMs: options.watchdogMs ?? 200,
      maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
      maxTextChars: options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS,
      ...(options.zipLimits ? { zipLimits: options.zipLimits } : {}),
      ...(options.split ? { split: options.split } : {}),
    };
    this.budget = { ...DEFAULT_BUDGET, ...options.budget };
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  /** Extracts one file in a worker. Rejects with IngestError (never anything else). */
  extract(path: string, request: ExtractRequest = {}): Promise<Extraction> {
    const { split: _split, ...rest } = request;
    return this.submit(path, rest);
  }

  /**
   * Extracts one file and splits its text into passages in the same worker (tokenizer loaded once per worker),
   * with `request.split`, else the pool's `split`. The passages equal `splitPassages(text, sections,
   * tokenSpansFromTokenizer(tokenizer), split)` on this thread. Tokenizing is inside the job's time budget.
   * Rejects with IngestError (never anything else); a tokenizer that cannot be loaded fails the job with
   * 'extract-failed' and a message naming its folder.
   */
  async extractPassages(path: string, request: ExtractRequest = {}): Promise<SplitExtraction> {
    const split = request.split ?? this.options.split;
    if (!split) throw new IngestError('extract-failed', 'extractPassages needs a split: give the pool or the request a `split` with the tokenizer folder.');
    return this.submit(path, { ...request, split }) as Promise<SplitExtraction>;
  }

  private async submit(path: string, request: ExtractRequest): Promise<Extraction | SplitExtraction> {
    if (this.closed) throw new IngestError('aborted', 'The extractor pool is closed.');
    if (request.signal?.aborted) throw new IngestError('aborted', `Extraction of ${path} was cancelled.`);
    const size = request.size ?? (await stat(path).then((s) => s.size, () => 0));
    if (request.signal?.aborted) throw new IngestError('aborted', `Extraction of ${path} was cancelled.`);
    return new Promise<Extraction | SplitExtraction>((resolve, reject) => {
      const job: Job = { id: this.nextId++, path, size, resolve, reject, ...(request.kind ? { kind: request.kind } : {}), ...(request.split ? { split: request.split } : {}) };
      if (request.signal) {
        job.signal = request.signal;
        job.onAbort = () => this.abort(job);
        request.signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  get stats(): PoolStats {
    return {
      workers: this.slots.length,
      busy: this.slots.filter((s) => s.jobs.length > 0).length,
      queued: this.queue.length,
      ...this.counters,
    };
  }

  /** Fails queued and running jobs with 'aborted' and stops every worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWatchdog();
    for (const job of this.queue.splice(0)) this.settle(job, new IngestError('aborted', 'The extractor pool was closed.'));
    await Promise.all(
      this.slots.map(async (slot) => {
        slot.dead = true;
        if (slot.deadline) clearTimeout(slot.deadline);
        for (const job of slot.jobs.splice(0)) this.settle(job, new IngestError('aborted', 'The extractor pool was closed.'));
        await slot.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const worker = startWorker(new URL('./extractor-worker.js', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxOldGenerationSizeMb },
    });
    const slot: Slot = { worker, ready: false, jobs: [], jobsDone: 0, deadline: null, deadlineAt: 0, startRss: 0, startedAt: 0, pausedLeft: 0, dead: false };
    worker.on('message', (message: FromExtractor) => this.onMessage(slot, message));
    worker.on('error', (error: Error & { code?: string }) => {
      if (slot.dead) return;
      const oom = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.kill(
        slot,
        oom ? 'out-of-memory' : 'worker-crashed',
        oom
          ? `Extraction needed more than the ${this.options.maxOldGenerationSizeMb} MiB of memory an extractor may use.`
          : `The extractor crashed: ${error.message}`,
      );
    });
    worker.on('exit', (code) => {
      if (slot.dead) return;
      this.kill(slot, 'worker-crashed', `The extractor stopped unexpectedly (exit code ${code}).`);
    });
    return slot;
  }

  private onMessage(slot: Slot, message: FromExtractor): void {
    if (slot.dead) return;
    if (message.type === 'ready') {
      slot.ready = true;
      this.startFailures = 0;
      this.dispatch();
      return;
    }
    const job = slot.jobs[0];
    if (!job || message.id !== job.id) return;
    if (message.type === 'paused') {
      if (slot.deadline) clearTimeout(slot.deadline);
      slot.deadline = null;
      slot.pausedLeft = Math.max(0, slot.deadlineAt - Date.now());
      return;
    }
    if (message.type === 'resumed') {
      this.armDeadline(slot, slot.pausedLeft);
      return;
    }
    if (message.type === 'pages') {
      this.armDeadline(slot, slot.deadlineAt - Date.now() + message.pages * this.budget.perPageMs);
      return;
    }
    if (message.type === 'splitting') {
      this.armDeadline(slot, slot.deadlineAt - Date.now() + (message.chars / 1e6) * this.budget.perMillionSplitCharsMs);
      return;
    }
    if (slot.deadline) clearTimeout(slot.deadline);
    slot.deadline = null;
    slot.jobs.shift();
    slot.jobsDone++;
    if (message.type === 'done') {
      this.counters.completed++;
      // The text crosses the thread boundary once; passages are offsets into it.
      const result: Extraction | SplitExtraction = message.passages ? Object.assign(message.extraction, { passages: message.passages }) : message.extraction;
      this.settle(job, result);
    } else {
      this.counters.failed++;
      this.settle(job, new IngestError(message.error.code, message.error.message));
    }
    if (slot.jobsDone >= this.options.recycleAfter || message.heapUsed > this.options.recycleHeapBytes) {
      this.counters.recycled++;
      this.queue.unshift(...slot.jobs.splice(0).filter((j) => !j.settled));
      this.replace(slot);
    } else if (slot.jobs.length > 0) {
      this.startJob(slot);
    }
    this.dispatch();
  }

  private dispatch(): void {
    if (this.closed) return;
    for (let depth = 1; depth <= PREFETCH && this.queue.length > 0; depth++) {
      for (const slot of this.slots) {
        if (this.queue.length === 0) break;
        if (!slot.ready || slot.dead || slot.jobs.length >= depth) continue;
        const job = this.queue.shift()!;
        slot.jobs.push(job);
        const message: ToExtractor = {
          type: 'extract',
          id: job.id,
          path: job.path,
          ...(job.kind ? { kind: job.kind } : {}),
          options: {
            maxFileBytes: this.options.maxFileBytes,
            maxTextChars: this.options.maxTextChars,
            ...(this.options.zipLimits ? { zipLimits: this.options.zipLimits } : {}),
          },
          ...(job.split ? { split: job.split } : {}),
        };
        slot.worker.postMessage(message);
        if (slot.jobs.length === 1) this.startJob(slot);
      }
    }
    const busy = this.slots.some((s) => s.jobs.length > 0);
    if (busy) this.startWatchdog();
    else this.stopWatchdog();
    // Workers keep the process alive only while there is work (queued or running), never when idle.
    for (const slot of this.slots) {
      if (busy || this.queue.length > 0) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  /** `jobs[0]` starts now (as far as the pool can tell): its time budget and RSS baseline begin. */
  private startJob(slot: Slot): void {
    const job = slot.jobs[0]!;
    slot.startRss = process.memoryUsage.rss();
    slot.startedAt = Date.now();
    this.armDeadline(slot, this.budget.baseMs + (job.size / (1024 * 1024)) * this.budget.perMiBMs);
  }

  private armDeadline(slot: Slot, ms: number): void {
    if (slot.deadline) clearTimeout(slot.deadline);
    const budget = Math.max(0, Math.round(ms));
    slot.deadlineAt = Date.now() + budget;
    slot.deadline = setTimeout(() => {
      if (slot.jobs.length === 0) return;
      this.kill(slot, 'timeout', `Extraction took longer than its time budget (${((Date.now() - slot.startedAt) / 1000).toFixed(1)} s) and was stopped.`);
    }, budget);
  }

  /** Terminates a slot's worker, fails its job with `code`, and puts a fresh worker in its place. */
  private kill(slot: Slot, code: IngestErrorCode, message: string): void {
    if (slot.dead) return;
    const [job, ...waiting] = slot.jobs.splice(0);
    // Jobs queued behind the killed one were not at fault: back to the front of the queue.
    this.queue.unshift(...waiting.filter((j) => !j.settled));
    this.counters.killed++;
    if (!slot.ready) this.startFailures++;
    this.replace(slot);
    if (job && !job.settled) {
      this.counters.failed++;
      this.settle(job, new IngestError(code, message));
    }
    if (this.startFailures >= MAX_START_FAILURES) {
      for (const queued of this.queue.splice(0)) {
        this.settle(queued, new IngestError('worker-crashed', `The extractor could not start (${message}).`));
      }
    }
    this.dispatch();
  }

  private replace(slot: Slot): void {
    slot.dead = true;
    if (slot.deadline) clearTimeout(slot.deadline);
    void slot.worker.terminate();
    const index = this.slots.indexOf(slot);
    if (index >= 0 && !this.closed) this.slots[index] = this.spawn();
  }

  private abort(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(job, new IngestError('aborted', `Extraction of ${job.path} was cancelled.`));
      return;
    }
    const slot = this.slots.find((s) => s.jobs.includes(job));
    if (!slot) return;
    if (slot.jobs[0] === job) this.kill(slot, 'aborted', `Extraction of ${job.path} was cancelled.`);
    // Waiting in the worker: answer now, drop the worker's result when it comes.
    else this.settle(job, new IngestError('aborted', `Extraction of ${job.path} was cancelled.`));
  }

  private settle(job: Job, result: Extraction | SplitExtraction | IngestError): void {
    if (job.settled) return;
    job.settled = true;
    if (job.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
    if (result instanceof IngestError) job.reject(result);
    else job.resolve(result);
  }

  private startWatchdog(): void {
    if (this.watchdog) return;
    this.watchdog = setInterval(() => {
      const rss = process.memoryUsage.rss();
      let victim: Slot | null = null;
      for (const slot of this.slots) {
        const job = slot.jobs[0];
        if (!job || rss - slot.startRss <= this.options.maxRssGrowthBytes) continue;
        if (!victim || job.size > victim.jobs[0]!.size) victim = slot;
      }
      if (victim) {
        this.kill(victim, 'out-of-memory', `Extraction made the app grow by more than ${Math.round(this.options.maxRssGrowthBytes / 1024 / 1024)} MiB and was stopped.`);
      }
    }, this.options.watchdogMs);
    this.watchdog.unref();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }
}
