/** Messages between the extractor pool and its worker threads. */
import type { Extraction } from './extract/extraction.js';
import type { ExtractOptions } from './extract/extract-file.js';
import type { FileKind } from './file-types.js';
import type { IngestErrorCode } from './ingest-error.js';

export type ToExtractor = {
  type: 'extract';
  id: number;
  path: string;
  kind?: FileKind;
  options: Pick<ExtractOptions, 'maxFileBytes' | 'maxTextChars' | 'zipLimits'>;
};

export type FromExtractor =
  /** The worker has loaded its extractors and takes jobs. */
  | { type: 'ready' }
  /** The job waits for pdf.js to load (once per worker, ~1 s): its time budget stops until 'resumed'. */
  | { type: 'paused'; id: number }
  | { type: 'resumed'; id: number }
  /** A PDF's page count is known: the pool extends the job's time budget by it. */
  | { type: 'pages'; id: number; pages: number }
  | { type: 'done'; id: number; extraction: Extraction; heapUsed: number }
  | { type: 'failed'; id: number; error: { code: IngestErrorCode; message: string }; heapUsed: number };
