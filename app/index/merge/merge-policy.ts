/**
 * Which segments to merge, decided from their sizes and tombstones alone (no I/O), so it is testable as a pure
 * function. Tiered: segments whose live doc counts fall in the same power-of-`mergeFactor` tier are merged once
 * `mergeFactor` of them exist (all of them, up to `maxMergeAtOnce`, so a tier that piled up while a merge ran
 * catches up in one merge); a segment with more than `maxDeletedFraction` of its docs deleted is rewritten; and
 * when the segments would still number more than `maxSegments` once the running and planned merges are done, the
 * smallest ones are merged too, so a writer that commits steadily never leaves searches more segments than that.
 *
 * The merge scheduler (merge-scheduler.ts) runs a merge of small segments beside at most one of large ones
 * (`mergeLane`, `mergesToStart`), so a long merge never holds the small ones up.
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
  /** At most this many segments go into one tier merge. */
  maxMergeAtOnce: number;
  /** Merge the smallest segments whenever more than this many would remain. */
  maxSegments: number;
}

export const DEFAULT_MERGE_POLICY: MergePolicyOptions = {
  mergeFactor: 8,
  minSegmentDocs: 2048,
  maxSegmentDocs: 4_000_000,
  maxDeletedFraction: 0.25,
  maxMergeAtOnce: 16,
  maxSegments: 16,
};

/**
 * The lane a merge runs in: `small` when its output stays in the lowest tiers (at most mergeFactor × minSegmentDocs
 * live docs: quick), else `large`. One merge per lane runs at a time.
 */
export function mergeLane(liveDocs: number, options: MergePolicyOptions = DEFAULT_MERGE_POLICY): 'small' | 'large' {
  return liveDocs <= options.mergeFactor * options.minSegmentDocs ? 'small' : 'large';
}

/**
 * Groups of segment names to merge (each group into one segment), most urgent first. Segments in `busy` are left
 * alone; `merging` lists the groups already being merged (or merged and not yet committed), which will each become
 * one segment.
 */
export function findMerges(
  segments: MergeCandidateInput[],
  options: MergePolicyOptions = DEFAULT_MERGE_POLICY,
  busy: ReadonlySet<string> = new Set(),
  merging: readonly (readonly string[])[] = [],
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
      const group = list.splice(0, Math.max(options.mergeFactor, options.maxMergeAtOnce));
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
  // The bound on the count: what remains once every running and planned merge is done.
  let remaining = segments.length;
  for (const group of [...merging, ...merges]) remaining -= group.length - 1;
  if (remaining > options.maxSegments) {
    const smallest = free.filter((segment) => !taken.has(segment.name)).sort((a, b) => live(a) - live(b) || (a.name < b.name ? -1 : 1));
    const count = Math.min(smallest.length, remaining - options.maxSegments + 1);
    if (count >= 2) {
      const group = smallest.slice(0, count).map((segment) => segment.name);
      merges.push(group);
      for (const name of group) taken.add(name);
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

/**
 * Which of `groups` (findMerges' answer, most urgent first) to start now, given the lanes already running a merge:
 * one per free lane, a group without live docs always (it needs no worker). When the large lane is busy, the
 * smallest segments of a large group that fit the small lane are merged in it instead, so that small segments never
 * wait for a long merge to end.
 */
export function mergesToStart(
  groups: readonly string[][],
  segments: readonly MergeCandidateInput[],
  busyLanes: ReadonlySet<'small' | 'large'>,
  options: MergePolicyOptions = DEFAULT_MERGE_POLICY,
): string[][] {
  const liveOf = new Map(segments.map((segment) => [segment.name, segment.docCount - segment.deletedCount]));
  const busy = new Set(busyLanes);
  const start: string[][] = [];
  for (const group of groups) {
    const live = group.reduce((n, name) => n + (liveOf.get(name) ?? 0), 0);
    if (live === 0) {
      start.push(group);
      continue;
    }
    const lane = mergeLane(live, options);
    if (!busy.has(lane)) {
      start.push(group);
      busy.add(lane);
    } else if (lane === 'large' && !busy.has('small')) {
      const smallest = [...group].sort((a, b) => liveOf.get(a)! - liveOf.get(b)! || (a < b ? -1 : 1));
      const part: string[] = [];
      let total = 0;
      for (const name of smallest) {
        if (mergeLane(total + liveOf.get(name)!, options) === 'large') break;
        total += liveOf.get(name)!;
        part.push(name);
      }
      if (part.length >= 2) {
        start.push(part);
        busy.add('small');
      }
    }
  }
  return start;
}
