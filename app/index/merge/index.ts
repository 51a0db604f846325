/** Merging: the pure merge policy, the scheduler that runs it in worker threads, the tombstone carry-over and the merge itself. */
export * from './merge-policy.js';
export { MergeScheduler, type CompletedMerge } from './merge-scheduler.js';
export { carryOverTombstones, type MergedInput } from './tombstone-carry.js';
export { mergeSegments, type MergeJob, type MergeInput } from './segment-merger.js';
