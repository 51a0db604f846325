/** Storage primitives of the index (CRC-32 is node:zlib's): durable sequential files, the writer lock, the byte-bounded cache, fail points. */
export { SequentialFile, syncDirectory, listDirectory, tryRemove } from './directory.js';
export { WriterLock, LOCK_FILE } from './writer-lock.js';
export { ByteLru } from './byte-lru.js';
export { failPoint, armFailPoint, disarmFailPoint, disarmAllFailPoints, FAIL_POINTS, type FailPointAction, type FailPointName } from './fail-points.js';
