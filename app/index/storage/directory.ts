/**
 * The index directory: every file the index writes goes through here, so durability (fsync of files and of the
 * directory) and fail points live in one place.
 */
import { closeSync, fsyncSync, openSync, readdirSync, rmSync, writeSync, constants } from 'node:fs';
import { join } from 'node:path';
import { failPoint, type FailPointName } from './fail-points.js';

/** The kinds of file written through SequentialFile: each has its `.write` and `.fsync` fail points. */
export type SequentialFileKind = KindOf<FailPointName>;
type KindOf<Name> = Name extends `${infer Kind}.write` ? Kind : never;

/** fsync the directory itself so that created, renamed and deleted entries are durable. Best effort on Windows. */
export function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * A file being written sequentially: `write` appends, `finish` fsyncs and closes. Fail points
 * `${failPrefix}.write` (each append) and `${failPrefix}.fsync` let tests crash or fail mid-write.
 */
export class SequentialFile {
  private fd: number | undefined;
  private position = 0;

  constructor(
    readonly path: string,
    private readonly failPrefix: SequentialFileKind,
  ) {
    this.fd = openSync(path, 'wx');
  }

  get offset(): number {
    return this.position;
  }

  write(bytes: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.path} is closed`);
    failPoint(`${this.failPrefix}.write`);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.position + done);
    this.position += bytes.length;
  }

  /** Appends zero bytes until the offset is a multiple of `alignment`. */
  pad(alignment: number): void {
    const rest = this.position % alignment;
    if (rest !== 0) this.write(new Uint8Array(alignment - rest));
  }

  finish(): void {
    if (this.fd === undefined) return;
    failPoint(`${this.failPrefix}.fsync`);
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }

  /** Closes and deletes the partial file (after an error). Never throws. */
  abandon(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        /* already failing */
      }
      this.fd = undefined;
    }
    try {
      rmSync(this.path, { force: true });
    } catch {
      /* an orphan: removed at the next open */
    }
  }
}

/** Names of the entries of `dir`. */
export function listDirectory(dir: string): string[] {
  return readdirSync(dir);
}

/** Deletes `name` in `dir`; returns false (and keeps going) when it cannot, e.g. a file still mapped on Windows. */
export function tryRemove(dir: string, name: string): boolean {
  try {
    rmSync(join(dir, name), { force: true });
    return true;
  } catch {
    return false;
  }
}
