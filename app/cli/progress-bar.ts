/** Renders DownloadProgress on a terminal: one redrawn bar line on a TTY, otherwise a plain line per finished file and every few seconds. */
import type { DownloadProgress, ProgressListener } from '../hub/index.js';
import { formatBytes } from '../util/format-bytes.js';

/** A progress listener that writes to `stream`, plus `end()` to finish the bar line. */
export interface ProgressBar {
  listener: ProgressListener;
  end(): void;
}

export interface ProgressBarOptions {
  /** Redraw a bar with `\r` (a TTY); when false, write plain lines. */
  tty: boolean;
  /** Terminal width in columns (TTY only; default 80). */
  columns?: number | undefined;
  /** Seconds between plain lines while a file downloads (non-TTY; default 10). */
  plainIntervalSeconds?: number | undefined;
  now?: () => number;
}

function rateText(rate: number): string {
  return rate > 0 ? `${formatBytes(Math.round(rate))}/s` : '';
}

function amountText(bytes: number, total: number | undefined): string {
  return total === undefined ? formatBytes(bytes) : `${formatBytes(bytes)} / ${formatBytes(total)}`;
}

/** Builds the one-line bar for an event (`name/file  [####----]  50%  221 MB / 442 MB  12.3 MB/s  3/5 files`), fitted to `columns`. */
export function barLine(event: DownloadProgress, columns: number): string {
  const total = event.snapshotTotal;
  const fraction = total ? Math.min(1, event.snapshotBytes / total) : undefined;
  const percent = fraction === undefined ? '' : `${String(Math.floor(fraction * 100)).padStart(3)}%`;
  const tail = [percent, amountText(event.snapshotBytes, total), rateText(event.rate), `${event.filesDone}/${event.filesTotal} files`]
    .filter(Boolean)
    .join('  ');
  const head = `${event.repoId.slice(event.repoId.lastIndexOf('/') + 1)}/${event.file}`;
  const room = columns - 1 - tail.length - 2;
  const barWidth = fraction === undefined ? 0 : Math.min(30, room - head.length - 4);
  if (barWidth >= 10) {
    return `${head}  [${'#'.repeat(Math.round(fraction! * barWidth)).padEnd(barWidth, '-')}]  ${tail}`;
  }
  const shownHead = head.length > room ? `…${head.slice(head.length - Math.max(1, room - 1))}` : head;
  return `${shownHead}  ${tail}`.slice(0, Math.max(0, columns - 1));
}

/** A listener that shows progress on `stream` (stderr). */
export function createProgressBar(stream: NodeJS.WritableStream, options: ProgressBarOptions): ProgressBar {
  const now = options.now ?? (() => Date.now());
  const interval = (options.plainIntervalSeconds ?? 10) * 1000;
  let drawn = false;
  let lastPlain = now();
  const listener: ProgressListener = (event) => {
    if (options.tty) {
      stream.write(`\r\x1b[K${barLine(event, options.columns ?? 80)}`);
      drawn = true;
      return;
    }
    if (event.done) {
      stream.write(`downloaded ${event.file} of ${event.repoId} (${formatBytes(event.bytes)}; ${event.filesDone}/${event.filesTotal} files)\n`);
      lastPlain = now();
    } else if (now() - lastPlain >= interval) {
      const rate = rateText(event.rate);
      stream.write(`downloading ${event.file} of ${event.repoId}: ${amountText(event.bytes, event.total)}${rate ? ` at ${rate}` : ''}\n`);
      lastPlain = now();
    }
  };
  return {
    listener,
    end() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
