/** Segments: the immutable files holding passages' postings (format, in-memory batch, reordering, writer, reader). */
export * from './segment-format.js';
export { ForwardBatch, type ForwardDocs } from './forward-batch.js';
export { reorderDocs, type ReorderOptions } from './doc-reorder.js';
export { serializeSegment, type SerializeOptions, type SerializedSegment } from './segment-serializer.js';
export { SegmentReader, type BlockMaxList, type Page, type CachedItem } from './segment-reader.js';
export { openBlock, forEachBlockTerm, forEachQueryTermInBlock, type BlockView } from './block-decoder.js';
