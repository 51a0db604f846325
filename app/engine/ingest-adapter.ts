/**
 * The IngestPort bound to app/ingest: the folder scanner with each folder's rules, the extractor pool (worker
 * threads with time and memory budgets) that also split passages with the encoder's tokenizer, a content hash, and
 * the folder watcher. Ingest's verdicts map onto file states: a skip (rule, size cap, type, binary) is `skipped`,
 * any other IngestError is `failed`, each with its code as the reason code.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  ExtractorPool,
  FolderRules,
  FolderWatcher,
  SKIP_CODES,
  fileKindOf,
  isIngestError,
  scanFolder,
  type ScanEntry as IngestScanEntry,
} from '../ingest/index.js';
import type { ExtractOptions, ExtractResult, IngestPort, PassageDraft, ScanEntry, ScanOptions } from './ingest-port.js';

/** Kinds whose extracted text is the file itself, so a passage's line is a line of the file. */
const LINE_KINDS = new Set(['text', 'code', 'markdown']);

export function createIngestPort(): IngestPort {
  let pool: ExtractorPool | undefined;
  let poolCap = 0;
  const poolFor = (maxFileBytes: number): ExtractorPool => {
    if (!pool || poolCap !== maxFileBytes) {
      void pool?.close();
      pool = new ExtractorPool({ maxFileBytes });
      poolCap = maxFileBytes;
    }
    return pool;
  };
  const rulesFor = (folder: string, options: ScanOptions) =>
    new FolderRules(folder, { userPatterns: options.ignorePatterns, maxFileBytes: options.maxFileBytes });

  return {
    async *scan(folder, options) {
      for await (const entry of scanFolder(rulesFor(folder, options), options.signal ? { signal: options.signal } : {})) {
        const mapped = fromScan(entry);
        if (mapped) yield mapped;
      }
    },

    async extract(path: string, options: ExtractOptions): Promise<ExtractResult> {
      let info;
      try {
        info = await stat(path);
      } catch (error) {
        return { ok: false, skipped: false, code: 'vanished', reason: `${path} is gone (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
      }
      try {
        const contentHash = await hashFile(path);
        // Extracted and split in the worker: only the passages cross back to this thread (the splitter's token
        // spans of a long document cost more than its extraction; here they run beside the encoder, not before it).
        const split = { tokenizerFolder: options.tokenizerFolder, maxTokens: options.passageTokens, overlapTokens: options.passageOverlap, modelMaxTokens: options.modelMaxTokens };
        const extraction = await poolFor(options.maxFileBytes).extractPassages(path, { split, size: info.size, ...(options.signal ? { signal: options.signal } : {}) });
        const lines = LINE_KINDS.has(fileKindOf(path) ?? '');
        const passages: PassageDraft[] = extraction.passages.map((passage) => ({
          text: extraction.text.slice(passage.start, passage.end),
          start: passage.start,
          end: passage.end,
          page: passage.page,
          line: lines ? passage.line : null,
        }));
        return { ok: true, passages, contentHash, size: info.size, mtimeMs: Math.floor(info.mtimeMs) };
      } catch (error) {
        if (isIngestError(error)) return { ok: false, skipped: SKIP_CODES.has(error.code), code: error.code, reason: error.message };
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, skipped: false, code: 'vanished', reason: `${path} disappeared while it was read` };
        throw error;
      }
    },

    hash: hashFile,

    async watch(folder, options) {
      const rules = new FolderRules(folder, { userPatterns: options.ignorePatterns, maxFileBytes: options.maxFileBytes });
      const watcher = await FolderWatcher.start(rules, {
        onBatch: (batch) =>
          options.onChanges({
            present: [
              ...[...batch.added, ...batch.changed].map((file) => ({ path: file.path, size: file.size, mtimeMs: Math.floor(file.mtimeMs) })),
              ...batch.skipped.map((file) => ({ path: file.path, size: file.size, mtimeMs: Math.floor(file.mtimeMs), skip: { code: file.code, reason: file.reason } })),
            ],
            gone: batch.removed,
            goneDirs: batch.removedDirs,
            rescan: batch.rescan.length > 0,
          }),
        onStatus: options.onStatus,
      });
      return watcher;
    },

    async close() {
      await pool?.close();
      pool = undefined;
    },
  };
}

/** A scanner entry as the indexer sees it: files and skipped files (directories and unreadable folders are not files). */
function fromScan(entry: IngestScanEntry): ScanEntry | null {
  if (entry.kind === 'file') return { path: entry.path, size: entry.size, mtimeMs: Math.floor(entry.mtimeMs) };
  if (entry.kind === 'error' && entry.isDirectory) return { path: entry.path, size: 0, mtimeMs: 0, unreadableDirectory: true };
  if (entry.isDirectory) return null;
  if (entry.kind === 'skipped') {
    return { path: entry.path, size: entry.size ?? 0, mtimeMs: Math.floor(entry.mtimeMs ?? 0), skip: { code: entry.code, reason: entry.reason } };
  }
  return { path: entry.path, size: 0, mtimeMs: 0, skip: { code: entry.code, reason: entry.reason, failed: true } };
}

/** SHA-256 of a file's bytes (what pairs a renamed file with its old entry). */
export function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
