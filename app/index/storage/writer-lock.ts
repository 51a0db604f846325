/**
 * The single-writer lock: an exclusive SQLite transaction held open on `<index>/writer.lock`. The operating system
 * releases it when the process dies (even by SIGKILL), so a crashed writer never leaves a stale lock behind, and it
 * works across processes and across connections of one process alike.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { IndexLockedError } from '../index-errors.js';

export const LOCK_FILE = 'writer.lock';

export class WriterLock {
  private constructor(private db: Database.Database | undefined) {}

  /** Takes the lock or returns undefined when another writer holds it. */
  static tryAcquire(dir: string): WriterLock | undefined {
    const db = new Database(join(dir, LOCK_FILE), { timeout: 0 });
    try {
      db.pragma('journal_mode = DELETE');
      db.exec('BEGIN EXCLUSIVE');
      return new WriterLock(db);
    } catch (error) {
      db.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return undefined;
      throw error;
    }
  }

  /**
   * Takes the lock or throws IndexLockedError. Retries for up to `waitMs` first: opening an index takes the lock
   * for a moment to clean up after a crash, which must not make a writer starting at that instant fail.
   */
  static acquire(dir: string, waitMs = 1000): WriterLock {
    let lock = WriterLock.tryAcquire(dir);
    const deadline = Date.now() + waitMs;
    while (!lock && Date.now() < deadline) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
      lock = WriterLock.tryAcquire(dir);
    }
    if (!lock) {
      throw new IndexLockedError(
        `Cannot open a writer on the index in ${dir}: another writer (in this or another process) holds ${join(dir, LOCK_FILE)}`,
      );
    }
    return lock;
  }

  get held(): boolean {
    return this.db !== undefined;
  }

  release(): void {
    if (!this.db) return;
    try {
      this.db.exec('ROLLBACK');
    } finally {
      this.db.close();
      this.db = undefined;
    }
  }
}
