/**
 * Which segments to merge, decided from their sizes and tombstones alone (no I/O), so it is testable as a pure
 * function. Tiered: segments whose live doc counts fall in the same power-of-`mergeFactor` tier are merged once
 * `mergeFactor` of them exist; a segment with more than `maxDeletedFraction` of its docs deleted is rewritten.
 */

export interface MergeCandidateInput {
  name: string;
  docCount: number;
  deletedCount: number;
}

export interface MergePolicyOptions {
  /** Segments per tier that trigger a merge. */
  mergeFactor: number;
  /** Segments smaller than this count as this size (they all share the lowest tier). */
  minSegmentDocs: number;
  /** Merges never produce more live docs than this. */
  maxSegmentDocs: number;
  /** Rewrite a segment alone when this fraction of it is deleted. */
  maxDeletedFraction: number;
}

export const DEFAULT_MERGE_POLICY: MergePolicyOptions = {
  mergeFactor: 8,
  minSegmentDocs: 2048,
  maxSegmentDocs: 4_000_000,
  maxDeletedFraction: 0.25,
};

/** Groups of segment names to merge (each group into one segment). Segments in `busy` are left alone. */
export function findMerges(
  segments: MergeCandidateInput[],
  options: MergePolicyOptions = DEFAULT_MERGE_POLICY,
  busy: ReadonlySet<string> = new Set(),
): string[][] {
  const merges: string[][] = [];
  const free = segments.filter((segment) => !busy.has(segment.name));
  const taken = new Set<string>();
  const live = (segment: MergeCandidateInput) => segment.docCount - segment.deletedCount;
  const tiers = new Map<number, MergeCandidateInput[]>();
  for (const segment of free) {
    const size = Math.max(live(segment), options.minSegmentDocs);
    const tier = Math.floor(Math.log(size / options.minSegmentDocs) / Math.log(options.mergeFactor) + 1e-9);
    let list = tiers.get(tier);
    if (!list) tiers.set(tier, (list = []));
    list.push(segment);
  }
  for (const tier of [...tiers.keys()].sort((a, b) => a - b)) {
    const list = tiers.get(tier)!.sort((a, b) => live(a) - live(b) || (a.name < b.name ? -1 : 1));
    while (list.length >= options.mergeFactor) {
      const group = list.splice(0, options.mergeFactor);
      let total = 0;
      const chosen: string[] = [];
      for (const segment of group) {
        if (total + live(segment) > options.maxSegmentDocs && chosen.length >= 2) break;
        total += live(segment);
        chosen.push(segment.name);
      }
      if (chosen.length >= 2) {
        merges.push(chosen);
        for (const name of chosen) taken.add(name);
      }
    }
  }
  for (const segment of free) {
    if (taken.has(segment.name) || segment.docCount === 0) continue;
    if (segment.deletedCount / segment.docCount > options.maxDeletedFraction) merges.push([segment.name]);
  }
  return merges;
}

/** Groups that bring the segment count down to `maxSegments` (smallest first), for an explicit force-merge. */
export function forcedMerges(segments: MergeCandidateInput[], maxSegments: number, busy: ReadonlySet<string> = new Set()): string[][] {
  const free = segments.filter((segment) => !busy.has(segment.name));
  const withDeletes = free.filter((segment) => segment.deletedCount > 0);
  if (free.length <= maxSegments && withDeletes.length === 0) return [];
  if (free.length <= maxSegments) return withDeletes.map((segment) => [segment.name]);
  const sorted = [...free].sort((a, b) => a.docCount - a.deletedCount - (b.docCount - b.deletedCount));
  // Merge the smallest ones into one so that maxSegments remain.
  return [sorted.slice(0, free.length - maxSegments + 1).map((segment) => segment.name)];
}
