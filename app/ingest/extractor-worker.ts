/**
 * The extractor pool's worker thread: runs extractFile for one job at a time — and, when asked, splits the text
 * into passages with the model's tokenizer (loaded once per worker) — and reports the result or IngestError.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { extractFile } from './extract/extract-file.js';
import { isPdfJsLoaded, preloadPdfJs } from './extract/pdf-text.js';
import { fileKindOf } from './file-types.js';
import { SPLIT_NOTICE_CHARS, type FromExtractor, type ToExtractor } from './extractor-protocol.js';
import { isIngestError } from './ingest-error.js';
import { isTokenizerLoaded, loadTokenizer, splitExtraction } from './worker-split.js';

const port = parentPort;
if (!port) throw new Error('extractor-worker.ts runs only as a worker thread');
const send = (message: FromExtractor) => port.postMessage(message);
// The heap figure the pool recycles on: v8's statistics cost ~0.2 µs, process.memoryUsage() ~9 µs (it reads RSS too).
const heapUsed = () => getHeapStatistics().used_heap_size;

// Jobs run one at a time, in the order sent: the pool keeps a next job queued here so the worker never waits for
// a message round trip between files, and it times each job from the end of the one before.
let chain: Promise<void> = Promise.resolve();
port.on('message', (message: ToExtractor) => {
  if (message.type !== 'extract') return;
  chain = chain.then(() => run(message)).catch(() => {});
});

async function run(message: ToExtractor): Promise<void> {
  const { id, path, kind, split } = message;
  try {
    // pdf.js and the tokenizer load once per worker (workers that never need one stay small); their load time is
    // not the file's fault, so the job's budget stops meanwhile.
    const needsPdfJs = (kind ?? fileKindOf(path)) === 'pdf' && !isPdfJsLoaded();
    const needsTokenizer = split !== undefined && !isTokenizerLoaded(split);
    if (needsPdfJs || needsTokenizer) {
      send({ type: 'paused', id });
      if (needsPdfJs) await preloadPdfJs().catch(() => {});
      // A tokenizer that fails to load fails this job (below), with a message naming the folder.
      const loaded = needsTokenizer ? await loadTokenizer(split).then(() => null, (error: unknown) => error) : null;
      send({ type: 'resumed', id });
      if (loaded) throw loaded;
    }
    const extraction = await extractFile(path, { ...message.options, ...(kind ? { kind } : {}), syncRead: true, onPages: (pages) => send({ type: 'pages', id, pages }) });
    if (!split) {
      send({ type: 'done', id, extraction, heapUsed: heapUsed() });
      return;
    }
    if (extraction.text.length >= SPLIT_NOTICE_CHARS) send({ type: 'splitting', id, chars: extraction.text.length });
    const passages = await splitExtraction(extraction, split);
    send({ type: 'done', id, extraction, passages, heapUsed: heapUsed() });
  } catch (error) {
    const plain = isIngestError(error)
      ? { code: error.code, message: error.message }
      : { code: 'extract-failed' as const, message: `Extraction failed: ${(error as Error)?.message ?? String(error)}` };
    send({ type: 'failed', id, error: plain, heapUsed: heapUsed() });
  }
}

send({ type: 'ready' });
