/** Query processing: search over a snapshot (hits, contributions, filters), prepared queries, block-max pruning over a segment, brute force, the top-k heap. */
export { Searcher, DEFAULT_APPROXIMATION, type SearchOptions, type SearchResult, type SearchHit, type SearchStats, type SearchFilter, type ApproximationOptions, type TermContribution } from './search.js';
export { prepareQuery, pruneQuery, type PreparedQuery } from './prepared-query.js';
export { searchSegment, scoreBlock, docTermImpacts, SearchScratch, type SegmentView, type BlockSearchStats } from './block-max-search.js';
export { bruteForceTopK, type QuantizedForward } from './brute-force.js';
export { TopKHeap } from './top-k-heap.js';
