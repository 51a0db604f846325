/** The extractor pool's worker thread: runs extractFile for one job at a time and reports the result or IngestError. */
import { parentPort } from 'node:worker_threads';
import { extractFile } from './extract/extract-file.js';
import { isPdfJsLoaded, preloadPdfJs } from './extract/pdf-text.js';
import { fileKindOf } from './file-types.js';
import type { FromExtractor, ToExtractor } from './extractor-protocol.js';
import { isIngestError } from './ingest-error.js';

const port = parentPort;
if (!port) throw new Error('extractor-worker.ts runs only as a worker thread');
const send = (message: FromExtractor) => port.postMessage(message);

// Jobs run one at a time, in the order sent: the pool keeps a next job queued here so the worker never waits for
// a message round trip between files, and it times each job from the end of the one before.
let chain: Promise<void> = Promise.resolve();
port.on('message', (message: ToExtractor) => {
  if (message.type !== 'extract') return;
  chain = chain.then(() => run(message)).catch(() => {});
});

async function run(message: ToExtractor): Promise<void> {
  const { id, path, kind } = message;
  // pdf.js loads on the first PDF only (workers that never see one stay small); its load time is not the file's fault.
  if ((kind ?? fileKindOf(path)) === 'pdf' && !isPdfJsLoaded()) {
    send({ type: 'paused', id });
    await preloadPdfJs().catch(() => {});
    send({ type: 'resumed', id });
  }
  await extractFile(path, { ...message.options, ...(kind ? { kind } : {}), onPages: (pages) => send({ type: 'pages', id, pages }) }).then(
    (extraction) => send({ type: 'done', id, extraction, heapUsed: process.memoryUsage().heapUsed }),
    (error: unknown) => {
      const plain = isIngestError(error)
        ? { code: error.code, message: error.message }
        : { code: 'extract-failed' as const, message: `Extraction failed: ${(error as Error)?.message ?? String(error)}` };
      send({ type: 'failed', id, error: plain, heapUsed: process.memoryUsage().heapUsed });
    },
  );
}

send({ type: 'ready' });
