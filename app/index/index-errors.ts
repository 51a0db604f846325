/** The index's error types: each names the object and the problem, and carries a stable `code`. */

/** Every code an IndexError carries: one closed list, from which the type and `isIndexError`'s check both come. */
export const INDEX_ERROR_CODES = [
  'invalid-vector',
  'invalid-argument',
  'corrupt-index',
  'index-locked',
  'index-closed',
  'format-unsupported',
  'commit-failed',
] as const;

export type IndexErrorCode = (typeof INDEX_ERROR_CODES)[number];

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
 * What is wrong with a file of the index: `missing` (a file the commit names does not exist: real damage, or,
 * for a reader, a commit of another process that removed it meanwhile), `damaged` (checksum mismatch,
 * truncation, bad magic, contents that disagree with the catalog) or `inconsistent` (catalog and postings
 * disagree).
 */
export type CorruptionKind = 'missing' | 'damaged' | 'inconsistent';

/**
 * A file of the index is damaged (checksum mismatch, truncation, bad magic) or missing. `file` is its path;
 * `segment` names the segment when the damage is in one, so that `SparseIndex.repair()` can drop it and mark its
 * files for re-encoding; `kind` says what is wrong, for code that must tell a missing file from a damaged one.
 */
export class IndexCorruptError extends IndexError {
  override name = 'IndexCorruptError';
  constructor(
    message: string,
    readonly file: string,
    readonly segment?: string,
    readonly kind: CorruptionKind = 'damaged',
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

const INDEX_ERROR_NAMES: ReadonlySet<string> = new Set(['IndexError', 'InvalidVectorError', 'IndexCorruptError', 'IndexLockedError']);
const CODES: ReadonlySet<string> = new Set(INDEX_ERROR_CODES);

/**
 * True for an IndexError (with the given code, when one is given). Across realms (an error from a worker or
 * another copy of this module) it recognises the index's own error names with one of its codes, so a Node fs
 * error (`code: 'ENOENT'`) or another module's error with a `code` is never taken for one.
 */
export function isIndexError(error: unknown, code?: IndexErrorCode): error is IndexError {
  const candidate = error as { code?: unknown; name?: unknown } | null;
  const isOne =
    error instanceof IndexError ||
    (typeof candidate === 'object' &&
      candidate !== null &&
      typeof candidate.name === 'string' &&
      INDEX_ERROR_NAMES.has(candidate.name) &&
      typeof candidate.code === 'string' &&
      CODES.has(candidate.code));
  return isOne && (code === undefined || (candidate as { code: unknown }).code === code);
}
