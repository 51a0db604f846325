/** Query processing: prepared queries, block-max pruning search over a segment, brute force, the top-k heap. */
export { prepareQuery, pruneQuery, type PreparedQuery } from './prepared-query.js';
export { searchSegment, scoreBlock, docTermImpacts, SearchScratch, type SegmentView, type BlockSearchStats } from './block-max-search.js';
export { bruteForceTopK, type QuantizedForward } from './brute-force.js';
export { TopKHeap } from './top-k-heap.js';
