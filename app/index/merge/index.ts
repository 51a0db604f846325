/** Merging: the pure merge policy and the merge itself (run in merge-worker.ts by the writer). */
export * from './merge-policy.js';
export { mergeSegments, type MergeJob, type MergeInput } from './segment-merger.js';
