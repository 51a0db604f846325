/**
 * The consistency check of catalog against postings (tests and diagnostics, not the hot path): every live doc of
 * every segment has a passage row whose origin that segment holds, every passage with an origin has exactly one
 * live doc, every file's passage count is right, and no passage lacks its file.
 */
import type { CatalogQueries } from './catalog/catalog.js';
import { IndexCorruptError } from './index-errors.js';
import { isDeleted, type Snapshot } from './snapshot.js';
import { catalogPath } from './storage/index-files.js';

/** Throws IndexCorruptError (kind `inconsistent`) naming the first disagreement found. */
export function checkConsistency(dir: string, snapshot: Snapshot, catalog: CatalogQueries): void {
  const fail = (problem: string) => new IndexCorruptError(`Index in ${dir} is inconsistent: ${problem}`, catalogPath(dir), undefined, 'inconsistent');
  const originOf = catalog.passageOrigins();
  const seen = new Set<number>();
  for (const segment of snapshot.segments) {
    const { pids } = segment.reader.docs();
    for (let doc = 0; doc < segment.reader.docCount; doc++) {
      if (isDeleted(segment.deleted, doc)) continue;
      const pid = pids[doc]!;
      const origin = originOf.get(pid);
      if (origin === undefined) throw fail(`segment ${segment.row.name} doc ${doc} has postings for passage ${pid}, which has no catalog row`);
      if (!segment.origins.includes(origin)) throw fail(`passage ${pid} (origin ${origin}) is live in segment ${segment.row.name}, which does not hold that origin`);
      if (seen.has(pid)) throw fail(`passage ${pid} is live twice`);
      seen.add(pid);
    }
  }
  if (seen.size !== originOf.size) {
    const missing = [...originOf.keys()].find((id) => !seen.has(id));
    throw fail(`passage ${missing} (origin ${String(originOf.get(missing!))}) has a catalog row but no postings`);
  }
  const [mismatch] = catalog.passageCountMismatches();
  if (mismatch) throw fail(`file ${mismatch.id} records ${mismatch.recorded} passages but has ${mismatch.actual}`);
  const orphans = catalog.orphanPassageCount();
  if (orphans > 0) throw fail(`${orphans} passages belong to no file`);
}
