/** Messages between the extractor pool and its worker threads. */
import type { Extraction } from './extract/extraction.js';
import type { ExtractOptions } from './extract/extract-file.js';
import type { FileKind } from './file-types.js';
import type { IngestErrorCode } from './ingest-error.js';
import type { Passage } from './passage-splitter.js';
import type { WorkerSplit } from './worker-split.js';

export type ToExtractor = {
  type: 'extract';
  id: number;
  path: string;
  kind?: FileKind;
  options: Pick<ExtractOptions, 'maxFileBytes' | 'maxTextChars' | 'zipLimits'>;
  /** Split the text into passages in the worker too (the result then carries `passages`). */
  split?: WorkerSplit;
};

export type FromExtractor =
  /** The worker has loaded its extractors and takes jobs. */
  | { type: 'ready' }
  /** The job waits for pdf.js or the tokenizer to load (once per worker, ~1 s): its time budget stops until 'resumed'. */
  | { type: 'paused'; id: number }
  | { type: 'resumed'; id: number }
  /** A PDF's page count is known: the pool extends the job's time budget by it. */
  | { type: 'pages'; id: number; pages: number }
  /** A long text (SPLIT_NOTICE_CHARS or more) is about to be split: the pool extends the job's time budget by its length. */
  | { type: 'splitting'; id: number; chars: number }
  | { type: 'done'; id: number; extraction: Extraction; passages?: Passage[]; heapUsed: number }
  | { type: 'failed'; id: number; error: { code: IngestErrorCode; message: string }; heapUsed: number };

/** Texts shorter than this split well within the base budget, so the worker sends no 'splitting' notice (one thread wake-up less per file). */
export const SPLIT_NOTICE_CHARS = 100_000;
