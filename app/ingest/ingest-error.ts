/**
 * IngestError: why a file could not be turned into text, with a closed `code` and a message a user can act on.
 * Every code below says what the user should do; the engine stores `code` as the file's `reasonCode` and the
 * message as its `reason`. `SKIP_CODES` are the codes that mean "deliberately left out" (state `skipped`), the
 * rest mean `failed`.
 */

export type IngestErrorCode =
  /** Permission denied, or the path is a FIFO/socket/device that cannot be read as a file. Fix the permissions (or ignore the path). */
  | 'unreadable'
  /** The file disappeared (deleted, renamed or its drive unmounted) while it was read. Nothing to do: a later change event re-queues it. */
  | 'vanished'
  /** The path is a directory or another kind of entry where a file was expected. Nothing to do. */
  | 'not-a-file'
  /** Larger than the size cap (setting `maxFileBytes`), or its extracted text is larger than the text cap. Raise the cap to index it. */
  | 'too-large'
  /** Binary content under a text extension (NUL bytes, control characters). Nothing to do; it is skipped. */
  | 'binary'
  /** The bytes are not text in any encoding the app recognises. Re-save the file as UTF-8. */
  | 'decode-failed'
  /** The PDF needs a password to open. Save an unencrypted copy to index it. */
  | 'pdf-encrypted'
  /** The PDF is damaged or not a PDF (no readable structure). Re-export or repair it. */
  | 'pdf-corrupt'
  /** The PDF has pages but no text layer (scanned images); OCR is not supported. Run OCR on it to index it. */
  | 'no-text'
  /** A ZIP-based document (DOCX, EPUB) declares more data than a document can hold (a "zip bomb"), or its sizes lie. Nothing to do; it is refused for safety. */
  | 'archive-bomb'
  /** A ZIP-based document (DOCX, EPUB) is damaged, truncated or not a ZIP at all. Re-save it from its application. */
  | 'archive-corrupt'
  /** The document opened but its content could not be converted (e.g. a DOCX without word/document.xml). Re-save it from its application. */
  | 'extract-failed'
  /** Extraction took longer than its time budget and was stopped. Nothing to do; very large or pathological files stay unindexed. */
  | 'timeout'
  /** Extraction needed more memory than its worker may use and was stopped. Nothing to do; split the document to index it. */
  | 'out-of-memory'
  /** The extraction worker died for another reason (a bug or a native crash). Retry; report it if it repeats. */
  | 'worker-crashed'
  /** The extension names no supported type. Nothing to do; it is skipped. */
  | 'unsupported-type'
  /** The caller cancelled the extraction (folder removed, app closing). Nothing to do. */
  | 'aborted';

export const INGEST_ERROR_CODES: readonly IngestErrorCode[] = [
  'unreadable', 'vanished', 'not-a-file', 'too-large', 'binary', 'decode-failed', 'pdf-encrypted', 'pdf-corrupt',
  'no-text', 'archive-bomb', 'archive-corrupt', 'extract-failed', 'timeout', 'out-of-memory', 'worker-crashed',
  'unsupported-type', 'aborted',
];

/** Codes that mean the file is deliberately left out (state `skipped`), not that something went wrong. */
export const SKIP_CODES: ReadonlySet<IngestErrorCode> = new Set(['binary', 'too-large', 'unsupported-type']);

export class IngestError extends Error {
  override name = 'IngestError' as const;
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Plain form for worker messages and the catalog. */
  toJSON(): { code: IngestErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** True for an IngestError, also across realms and worker boundaries (compares `name`, not only `instanceof`). */
export function isIngestError(error: unknown, code?: IngestErrorCode): error is IngestError {
  const named = error instanceof IngestError || (error as { name?: unknown } | null)?.name === 'IngestError';
  return named && (code === undefined || (error as IngestError).code === code);
}

/** Maps a file-system error met while reading `path` to the IngestError the user sees. Non-fs errors pass through unchanged. */
export function fsErrorToIngestError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return new IngestError('vanished', `The file disappeared while it was being read: ${path}`, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new IngestError('unreadable', `Permission denied reading ${path}: give your user read access to index it.`, { cause: error });
    case 'EISDIR':
      return new IngestError('not-a-file', `${path} is a directory, not a file.`, { cause: error });
    case 'ELOOP':
      return new IngestError('unreadable', `${path} is a symbolic link loop.`, { cause: error });
    case 'EIO':
    case 'ENXIO':
    case 'ENODEV':
    case 'ESTALE':
    case 'ETIMEDOUT':
      return new IngestError('unreadable', `The drive holding ${path} could not be read (${code}); check that it is still connected.`, { cause: error });
    default:
      return error;
  }
}
