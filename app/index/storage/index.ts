/** Storage primitives of the index (CRC-32 is node:zlib's): file names and orphan removal, durable sequential files, the writer lock, the byte-bounded cache, fail points. */
export { CATALOG_FILE, catalogPath, segmentPath, newSegmentName, removeOrphans } from './index-files.js';
export { SequentialFile, syncDirectory, listDirectory, tryRemove, type SequentialFileKind } from './directory.js';
export { WriterLock, LOCK_FILE } from './writer-lock.js';
export { ByteLru } from './byte-lru.js';
export { failPoint, armFailPoint, disarmFailPoint, disarmAllFailPoints, FAIL_POINTS, type FailPointAction, type FailPointName } from './fail-points.js';
