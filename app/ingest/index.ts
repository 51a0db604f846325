/**
 * Ingest: everything that turns a folder into files-with-verdicts and a file into text and passages. Knows
 * nothing of the index, and of the encoder only its tokenizer: the extractor workers load it from the model's
 * tokenizer folder to split in the worker (`extractPassages`); on the caller's thread the engine wires it in
 * (`tokenSpansFromTokenizer`).
 *
 * ```ts
 * const rules = new FolderRules('/home/me/docs', { userPatterns: ['drafts/**'], maxFileBytes: 50 << 20 });
 * for await (const entry of scanFolder(rules)) {                 // entry.kind: 'file' | 'skipped' | 'error'
 *   if (entry.kind !== 'file') { record(entry.rel, entry.code, entry.reason); continue; }
 * }
 * const pool = new ExtractorPool();                                // worker threads, time/memory budgets
 * try {
 *   const { text, sections } = await pool.extract('/home/me/docs/a.pdf');
 *   const tokenize = tokenSpansFromTokenizer(await BertTokenizer.fromFolder(modelDir)); // encoder's tokenizer
 *   const passages = splitPassages(text, sections, tokenize, { maxTokens: 256, overlapTokens: 32 });
 *   passages[0].start; passages[0].page; passages[0].line; text.slice(passages[0].start, passages[0].end);
 *   // Or split in the worker, keeping this thread free: same passages, tokenizer loaded once per worker.
 *   const split = await pool.extractPassages(path, { split: { tokenizerFolder: modelDir, maxTokens: 256, overlapTokens: 32 } });
 *   split.passages; split.text; split.sections; split.source;
 * } catch (error) {
 *   if (isIngestError(error)) record(path, error.code, error.message); // SKIP_CODES → skipped, else failed
 * }
 * const watcher = await FolderWatcher.start(rules, { onBatch: (b) => sync(b), onStatus: (s) => show(s.warning) });
 * await watcher.close(); await pool.close();
 * ```
 *
 * Guarantees:
 * - Every path `scanFolder` sees comes back once: a file, a skip with a `SkipCode` and a sentence naming the rule
 *   (and the rule file), or an error entry (unreadable directory). Links are followed, never in a loop. Only the
 *   folder itself missing or unreadable throws (IngestError 'vanished'/'unreadable').
 * - `FolderRules.check` is a pure decision: default skip list → hidden → user globs → .ignore/.gitignore (nested,
 *   deepest first, git semantics) → size cap → supported type. Binary content is found when read ('binary').
 * - `ExtractorPool.extract` resolves to an Extraction or rejects with an IngestError of a closed code — never
 *   hangs (time budget, worker terminated), never takes the process down (heap limit, RSS watchdog, ZIP sizes
 *   checked before inflating). `SKIP_CODES` ('binary', 'too-large', 'unsupported-type') mean skipped.
 * - `ExtractorPool.extractPassages` gives exactly the passages `splitPassages` gives on the caller's thread for the
 *   same text and options (`modelMaxTokens` defaulting to the tokenizer's own limit), split in the worker that
 *   extracted the file: the tokenizer loads once per worker (outside the job's time budget), tokenizing runs inside
 *   it (long texts extend it by `perMillionSplitCharsMs`); a tokenizer folder that cannot be loaded fails the job
 *   with 'extract-failed' naming the folder.
 * - Offsets everywhere are UTF-16 code units of `Extraction.text`, `[start, end)`; passage text is always
 *   `text.slice(start, end)`. Sections (pages, headings) are never crossed; a passage has at most
 *   min(maxTokens, modelMaxTokens - reservedTokens) tokens as the given tokenize function counts them.
 * - Text files are indexed as decoded (Markdown as its source), so offsets and lines point into the file the
 *   user opens; `Extraction.encoding` records how it was decoded.
 * - `Extraction.source` (from `extractFile` and the pool) is the size, mtime and SHA-256 of exactly the bytes that
 *   were extracted: no second read is needed to hash a file or to notice it changed during extraction.
 */
export { IngestError, isIngestError, fsErrorToIngestError, INGEST_ERROR_CODES, SKIP_CODES, type IngestErrorCode } from './ingest-error.js';
export { fileKindOf, extensionOf, supportedExtensions, isTextKind, looksBinary, type FileKind } from './file-types.js';
export { decodeText, type DecodedText } from './decode-text.js';
export {
  FolderRules,
  DEFAULT_SKIP_DIRS,
  DEFAULT_MAX_FILE_BYTES,
  RULE_FILES,
  normalizeRel,
  formatBytes,
  type SkipCode,
  type SkipReason,
  type IgnoreOptions,
  type CheckInfo,
  type RuleFile,
} from './ignore-rules.js';
export type { Extraction, Section } from './extract/extraction.js';
export { extractFile, extractBytes, DEFAULT_MAX_TEXT_CHARS, type ExtractOptions } from './extract/extract-file.js';
export { DEFAULT_ZIP_LIMITS, type ZipLimits } from './extract/zip-guard.js';
export { ExtractorPool, DEFAULT_BUDGET, type ExtractorPoolOptions, type ExtractRequest, type PoolStats, type TimeBudget } from './extractor-pool.js';
export type { WorkerSplit, SplitExtraction } from './worker-split.js';
export {
  splitPassages,
  passageLimits,
  DEFAULT_PASSAGE_TOKENS,
  DEFAULT_PASSAGE_OVERLAP,
  type Passage,
  type SplitOptions,
} from './passage-splitter.js';
export { tokenSpansFromTokenizer, approximateTokenSpans, type TokenSpan, type TokenizeFn, type CodePointTokenizer, type TokenSpansOptions } from './token-spans.js';
export { scanFolder, type ScanEntry, type ScanOptions } from './folder-scanner.js';
export {
  FolderWatcher,
  type FolderWatcherOptions,
  type WatchBatch,
  type WatchedFile,
  type WatcherStatus,
} from './folder-watcher.js';
export { pairRenames, type FileSignature } from './rename-pairs.js';
export { writeIngestCorpus, type IngestCorpus, type IngestCorpusOptions } from './bench/ingest-corpus.js';
export { runIngestBenchmark, type IngestBenchmarkOptions, type IngestBenchmarkResult, type IngestPhaseResult } from './bench/ingest-benchmark.js';
export { writeSimplePdf, type PdfWriterOptions } from './bench/pdf-writer.js';
