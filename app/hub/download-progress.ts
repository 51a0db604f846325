/** Progress of a snapshot download: the events the UI and the CLI receive, and the meter that produces them. */

/** One progress report: when a file starts, at most every 100 ms while bytes flow, and once when each file is done. */
export interface DownloadProgress {
  repoId: string;
  revision: string;
  /** Repository path of the file this event is about. */
  file: string;
  /** Bytes of `file` on disk now (a resumed prefix included). */
  bytes: number;
  /** Size of `file`, when known. */
  total: number | undefined;
  /** True on the last event for `file`. */
  done: boolean;
  /** Bytes on disk over all files this call downloads. */
  snapshotBytes: number;
  /** Total size of the files this call downloads (from the listing), when known. */
  snapshotTotal: number | undefined;
  filesDone: number;
  filesTotal: number;
  /** Transfer rate in bytes per second over the last few seconds (0 until measurable). */
  rate: number;
}

export type ProgressListener = (event: DownloadProgress) => void;

const RATE_WINDOW_MS = 5_000;

/** Turns byte counts into throttled `DownloadProgress` events. */
export class ProgressMeter {
  private readonly perFile = new Map<string, number>();
  private readonly flowing = new Set<string>();
  private readonly samples: Array<{ at: number; transferred: number }> = [];
  private transferred = 0;
  private lastEmit = 0;
  private filesDone = 0;

  constructor(
    private readonly repoId: string,
    private readonly revision: string,
    private readonly filesTotal: number,
    private readonly snapshotTotal: number | undefined,
    private readonly listener: ProgressListener | undefined,
    private readonly intervalMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Records that `file` has `bytes` on disk; `transferred` counts only bytes that came over the network. */
  update(file: string, bytes: number, total: number | undefined): void {
    const before = this.perFile.get(file);
    this.perFile.set(file, bytes);
    if (before !== undefined && bytes > before) this.transferred += bytes - before;
    const at = this.now();
    // the first bytes that arrive for each file are reported at once, later ones at most every intervalMs
    const firstArrival = before !== undefined && bytes > before && !this.flowing.has(file);
    if (firstArrival) this.flowing.add(file);
    if (before === undefined || firstArrival || at - this.lastEmit >= this.intervalMs) this.emit(file, bytes, total, false, at);
  }

  /** Records that `file` is complete. */
  finish(file: string, size: number | undefined): void {
    this.filesDone++;
    const bytes = size ?? this.perFile.get(file) ?? 0;
    this.perFile.set(file, bytes);
    this.emit(file, bytes, size, true, this.now());
  }

  private rate(at: number): number {
    this.samples.push({ at, transferred: this.transferred });
    while (this.samples.length > 2 && at - this.samples[0]!.at > RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (at - first.at) / 1000;
    return seconds > 0.2 ? (this.transferred - first.transferred) / seconds : 0;
  }

  private emit(file: string, bytes: number, total: number | undefined, done: boolean, at: number): void {
    this.lastEmit = at;
    const rate = this.rate(at);
    if (!this.listener) return;
    let snapshotBytes = 0;
    for (const value of this.perFile.values()) snapshotBytes += value;
    this.listener({
      repoId: this.repoId,
      revision: this.revision,
      file,
      bytes,
      total,
      done,
      snapshotBytes,
      snapshotTotal: this.snapshotTotal,
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      rate,
    });
  }
}
