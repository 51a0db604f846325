/**
 * The on-disk sparse index: "here is a query vector, give me the top passages" — with the catalog of folders,
 * files and passages they come from.
 *
 * ```ts
 * const index = SparseIndex.open('/data/index');                 // creates it when absent
 * const writer = index.openWriter();                              // one writer at a time (lock), any process
 * writer.addFolder('/home/me/docs');
 * writer.upsertFile({ path: '/home/me/docs/a.md', size, mtimeMs, contentHash },
 *   [{ vector: { indices, values }, charStart: 0, charEnd: 812, line: 1, text }]);
 * writer.deleteFile('/home/me/docs/old.md');
 * writer.commit({ checkpoint: 42 });                              // atomic; crash-safe
 * const { hits } = index.search(queryVector, { k: 10, mode: 'exact', filter: { fileTypes: ['md'] } });
 * hits[0].score; hits[0].file.path; hits[0].passage.charStart; hits[0].terms[0].contribution;
 * writer.close(); index.close();
 * ```
 *
 * - Vectors: term ids ascending in [0, vocabSize), weights finite and > 0; stored as 8-bit impacts (linear,
 *   index-wide scale = maxWeight / 255). Scores are dot products with those stored impacts.
 * - `search` mode 'exact' returns the true top-k (equal to brute force); 'approximate' bounds blocks with the
 *   query's heaviest terms only and may stop early (knobs in `approximation`); its scores are still exact.
 * - Files carry a status (`pending`, `indexed`, `error`, `skipped`, `unavailable`, with a message and a reason code)
 *   for ingest; `listFiles({ status })` finds them; `pending` rows are ingest's durable job queue. `renameFile`
 *   re-points a file (same content) without re-encoding.
 * - With `openWriter({ keepVectors: true })` each passage's full-precision vector is stored with its catalog row in
 *   the same commit; `passageVectors(ids)` reads them back for exact rescoring, `exactScores(query, ids)` scores
 *   them without decoding, `exactScan(query, filter)` scores every live one (a full scan).
 * - `search` returns at most `SEARCH_K_LIMIT` (10,000) hits.
 * - Segments are immutable; deletes are tombstones; merges run in worker threads and swap in at a commit; while a
 *   writer commits steadily, about `mergePolicy.maxSegments` (16) segments remain at most (counted once running
 *   merges land: commits during a merge add theirs); `waitForMerges()` resolves once
 *   no merge runs or awaits its commit.
 * - Damage is detected by checksums (IndexCorruptError names the file); `SparseIndex.repair(dir)` drops damaged
 *   segments, keeps the catalog and marks the affected files `pending` for re-encoding.
 *
 * This file is the whole public surface. The benchmark's data generator and runner have their own entry,
 * `app/index/bench/index.ts`; storage, segment, merge and query modules are internal.
 */
export {
  SparseIndex,
  SEARCH_K_LIMIT,
  DEFAULT_APPROXIMATION,
  type OpenOptions,
  type SearchOptions,
  type SearchFilter,
  type ApproximationOptions,
  type SearchHit,
  type SearchResult,
  type SearchStats,
  type TermContribution,
  type IndexStats,
  type RepairReport,
} from './sparse-index.js';
export { IndexWriter, type WriterOptions, type FileInput, type PassageInput, type CommitInfo } from './index-writer.js';
export { FILE_STATUSES, type FileInfo, type FolderInfo, type PassageInfo, type FileStatus, type IndexSettings } from './catalog/catalog.js';
export { type SparseVector, validateSparseVector, sparseDot, DEFAULT_VOCAB_SIZE } from './sparse-vector.js';
export { IndexError, InvalidVectorError, IndexCorruptError, IndexLockedError, isIndexError, type IndexErrorCode } from './index-errors.js';
export { DEFAULT_MAX_WEIGHT, quantize, dequantize } from './quantization.js';
