/**
 * Runs the merges the policy asks for in worker threads on committed (immutable) segments, and keeps the finished
 * ones until a commit swaps them in. Two lanes, each with its own long-lived worker: one merge of small segments and
 * one of large ones may run at once (`mergeLane`), so a long merge never lets small segments pile up behind it. A
 * merge whose inputs hold no live doc needs no worker: it is finished at once (its inputs are dropped at the swap).
 */
import { rmSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { IndexError } from '../index-errors.js';
import { SegmentReader, type CachedItem } from '../segment/segment-reader.js';
import type { SegmentMeta } from '../segment/segment-format.js';
import type { Snapshot, SnapshotSegment } from '../snapshot.js';
import type { ByteLru } from '../storage/byte-lru.js';
import { newSegmentName, segmentPath } from '../storage/index-files.js';
import type { WriterHost } from '../writer-host.js';
import { startWorker } from '../../util/start-worker.js';
import { findMerges, forcedMerges, mergeLane, mergesToStart, type MergeCandidateInput, type MergePolicyOptions } from './merge-policy.js';
import type { MergeJob } from './segment-merger.js';
import type { MergeRequest, MergeResponse, MergeWorkerResult } from './merge-worker.js';

export interface CompletedMerge {
  inputs: string[];
  /** Tombstones of each input when the merge started. */
  startDeleted: Map<string, Uint8Array | null>;
  /** The merged segment, or null when no input had live docs (the inputs are just dropped). */
  output: { name: string; path: string; reader: SegmentReader; meta: SegmentMeta; byteSize: number } | null;
}

type Lane = 'small' | 'large';

interface RunningMerge {
  inputs: string[];
  outputName: string;
  lane: Lane;
  done: Promise<void>;
}

/** A lane's worker thread and the one job it runs, if any. It keeps the process alive only while a job runs. */
class LaneWorker {
  private readonly worker: Worker;
  private pending: { id: number; finish: (result: MergeWorkerResult) => void } | undefined;
  private nextId = 1;
  dead = false;

  constructor() {
    this.worker = startWorker(new URL('./merge-worker.js', import.meta.url));
    this.worker.unref();
    this.worker.on('message', ({ id, result }: MergeResponse) => {
      if (this.pending?.id !== id) return;
      const { finish } = this.pending;
      this.pending = undefined;
      this.worker.unref();
      finish(result);
    });
    const die = (message: string) => {
      this.dead = true;
      const pending = this.pending;
      this.pending = undefined;
      pending?.finish({ ok: false, message });
    };
    this.worker.on('error', (error) => die(error.message));
    this.worker.on('exit', (code) => die(`merge worker exited with code ${code}`));
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  run(job: MergeJob, finish: (result: MergeWorkerResult) => void): void {
    const id = this.nextId++;
    this.pending = { id, finish };
    this.worker.ref();
    this.worker.postMessage({ id, job } satisfies MergeRequest);
  }

  terminate(): void {
    this.dead = true;
    void this.worker.terminate();
  }
}

export class MergeScheduler {
  private readonly running: RunningMerge[] = [];
  private finished: CompletedMerge[] = [];
  private errors: Error[] = [];
  /** Segments whose merge failed (e.g. a damaged input): left out of merges until a repair drops them. */
  private readonly failed = new Set<string>();
  private readonly workers = new Map<Lane, LaneWorker>();
  private readonly spares = new Set<LaneWorker>();
  private stopped = false;

  /** `onFinished` runs after each merge that ran in a worker ends (the writer then commits it or merges more). */
  constructor(
    private readonly host: Pick<WriterHost, 'dir' | 'settings' | 'scale' | 'cache'>,
    private readonly policy: MergePolicyOptions,
    private readonly onFinished: () => void,
  ) {}

  /** Merges finished and not yet swapped in by a commit. */
  get completed(): readonly CompletedMerge[] {
    return this.finished;
  }

  get runningCount(): number {
    return this.running.length;
  }

  /** Names of segment files merges are writing or have written, not yet committed (garbage collection keeps them). */
  outputsInFlight(): string[] {
    const names = this.running.map((merge) => merge.outputName);
    for (const merge of this.finished) if (merge.output) names.push(merge.output.name);
    return names;
  }

  /** Starts the merges the policy asks for on `snapshot`, as far as the lanes are free. Returns how many started. */
  maybeMerge(snapshot: Snapshot): number {
    const merging = [...this.running.map((merge) => merge.inputs), ...this.finished.map((merge) => merge.inputs)];
    const busy = new Set<string>(this.failed);
    for (const group of merging) for (const name of group) busy.add(name);
    const segments = mergeInputs(snapshot);
    const wanted = findMerges(segments, this.policy, busy, merging);
    const groups = mergesToStart(wanted, segments, new Set(this.running.map((merge) => merge.lane)), this.policy);
    for (const group of groups) this.start(snapshot, group);
    return groups.length;
  }

  /** Groups that bring `snapshot` down to `maxSegments` segments without tombstones (force-merge). */
  forcedGroups(snapshot: Snapshot, maxSegments: number): string[][] {
    return forcedMerges(mergeInputs(snapshot), maxSegments, this.failed);
  }

  /** Starts merging `names` (segments of `snapshot`) into one segment. */
  start(snapshot: Snapshot, names: string[]): void {
    const segments = segmentsOf(snapshot, names);
    const startDeleted = new Map<string, Uint8Array | null>();
    for (const segment of segments) startDeleted.set(segment.row.name, segment.deleted ? segment.deleted.slice() : null);
    const live = liveDocs(segments);
    if (live === 0) {
      this.finished.push({ inputs: names, startDeleted, output: null });
      return;
    }
    const outputName = newSegmentName(snapshot.generation + 1);
    const outputPath = segmentPath(this.host.dir, outputName);
    const { settings, scale, cache } = this.host;
    const job: MergeJob = {
      inputs: segments.map((segment) => ({ name: segment.row.name, path: segment.reader.path, byteSize: segment.row.byteSize, deleted: segment.deleted ?? null })),
      output: { name: outputName, path: outputPath },
      blockSize: settings.blockSize,
      blocksPerPage: settings.blocksPerPage,
      vocabSize: settings.vocabSize,
      scale,
    };
    // The inputs stay referenced (and their files undeleted) until the merge is applied or dropped.
    for (const segment of segments) segment.reader.retain();
    const lane = mergeLane(live, this.policy);
    let worker = this.workers.get(lane);
    if (!worker || worker.dead) this.workers.set(lane, (worker = new LaneWorker()));
    // A lane runs one merge at a time when the policy chooses; an explicit `start` while its worker is busy gets a
    // worker of its own for that one merge.
    const spare = worker.busy ? new LaneWorker() : undefined;
    if (spare) {
      worker = spare;
      this.spares.add(spare);
    }
    let resolveDone!: () => void;
    const merge: RunningMerge = { inputs: names, outputName, lane, done: new Promise<void>((resolve) => (resolveDone = resolve)) };
    const finish = (result: MergeWorkerResult) => {
      this.running.splice(this.running.indexOf(merge), 1);
      for (const segment of segments) segment.reader.release();
      if (this.stopped) {
        rmSync(outputPath, { force: true });
      } else if (result.ok) {
        this.adopt(names, startDeleted, outputName, outputPath, result, cache);
      } else {
        rmSync(outputPath, { force: true });
        // A damaged input is left out of merges until a repair drops it; other failures (a full disk) may pass.
        if (result.segment && names.includes(result.segment)) this.failed.add(result.segment);
        this.errors.push(new IndexError(result.code === 'corrupt-index' ? 'corrupt-index' : 'commit-failed', `Merge of ${names.join(', ')} failed: ${result.message}`));
      }
      if (spare) {
        spare.terminate();
        this.spares.delete(spare);
      }
      resolveDone();
      if (!this.stopped) this.onFinished();
    };
    this.running.push(merge);
    worker.run(job, finish);
  }

  private adopt(
    inputs: string[],
    startDeleted: Map<string, Uint8Array | null>,
    name: string,
    path: string,
    result: Extract<MergeWorkerResult, { ok: true }>,
    cache: ByteLru<CachedItem>,
  ): void {
    try {
      const reader = SegmentReader.open(path, name, cache, result.byteSize);
      this.finished.push({ inputs, startDeleted, output: { name, path, reader, meta: result.meta, byteSize: result.byteSize } });
    } catch (error) {
      this.errors.push(error as Error);
    }
  }

  /** Resolves once no merge runs (merges started meanwhile included). */
  async idle(): Promise<void> {
    while (this.running.length > 0) await Promise.all(this.running.map((merge) => merge.done));
  }

  /** Throws the first error of a failed merge since the last call, and forgets the others. */
  throwErrors(): void {
    if (this.errors.length === 0) return;
    const [first] = this.errors;
    this.errors = [];
    throw first;
  }

  /** Keeps an error that happened while committing finished merges, for the next `throwErrors`. */
  recordError(error: Error): void {
    this.errors.push(error);
  }

  /** After a commit swapped the finished merges in (or found them stale): releases them. */
  committed(): void {
    for (const merge of this.finished) merge.output?.reader.release();
    this.finished = [];
  }

  /** Drops a finished merge whose inputs are gone (its output file is deleted). */
  drop(merge: CompletedMerge): void {
    if (!merge.output) return;
    merge.output.reader.release();
    rmSync(merge.output.path, { force: true });
  }

  /** Stops running merges and drops finished ones; their files are orphans the next open removes if still there. */
  stop(): void {
    this.stopped = true;
    for (const worker of [...this.workers.values(), ...this.spares]) worker.terminate();
    this.workers.clear();
    this.spares.clear();
    for (const merge of this.running) {
      const path = segmentPath(this.host.dir, merge.outputName);
      // The file may still be open in the worker; whatever remains is an orphan the next open removes.
      setTimeout(() => rmSync(path, { force: true }), 200).unref();
    }
    for (const merge of this.finished) this.drop(merge);
    this.finished = [];
  }
}

function mergeInputs(snapshot: Snapshot): MergeCandidateInput[] {
  return snapshot.segments.map(({ row }) => ({ name: row.name, docCount: row.docCount, deletedCount: row.deletedCount }));
}

function segmentsOf(snapshot: Snapshot, names: string[]): SnapshotSegment[] {
  return names.map((name) => snapshot.segments.find((segment) => segment.row.name === name)!);
}

function liveDocs(segments: SnapshotSegment[]): number {
  return segments.reduce((n, segment) => n + segment.row.docCount - segment.row.deletedCount, 0);
}
