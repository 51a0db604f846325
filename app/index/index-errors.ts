/** The index's error types: each names the object and the problem, and carries a stable `code`. */

export type IndexErrorCode =
  | 'invalid-vector'
  | 'invalid-argument'
  | 'corrupt-index'
  | 'index-locked'
  | 'index-closed'
  | 'format-unsupported'
  | 'commit-failed';

/** Base class of every error the index throws on purpose. `code` is stable; match on it, not on the message. */
export class IndexError extends Error {
  override name = 'IndexError';
  constructor(
    readonly code: IndexErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A sparse vector (of a passage or a query) is malformed; nothing was written. */
export class InvalidVectorError extends IndexError {
  override name = 'InvalidVectorError';
  constructor(message: string) {
    super('invalid-vector', message);
  }
}

/**
 * A file of the index is damaged (checksum mismatch, truncation, bad magic). `file` is its path; `segment` names
 * the segment when the damage is in one, so that `SparseIndex.repair()` can drop it and mark its files for
 * re-encoding.
 */
export class IndexCorruptError extends IndexError {
  override name = 'IndexCorruptError';
  constructor(
    message: string,
    readonly file: string,
    readonly segment?: string,
  ) {
    super('corrupt-index', message);
  }
}

/** Another writer holds the index's lock. */
export class IndexLockedError extends IndexError {
  override name = 'IndexLockedError';
  constructor(message: string) {
    super('index-locked', message);
  }
}

/** True for an IndexError with the given code, also across realms (checks `name`/`code`, not only instanceof). */
export function isIndexError(error: unknown, code?: IndexErrorCode): error is IndexError {
  const candidate = error as { code?: unknown; name?: unknown } | null;
  const isOne =
    error instanceof IndexError ||
    (typeof candidate?.name === 'string' && candidate.name.endsWith('Error') && typeof candidate.code === 'string');
  return isOne && (code === undefined || (candidate as { code: unknown }).code === code);
}
