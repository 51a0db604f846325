/** Storage primitives of the index: CRC-32, durable sequential files, the writer lock, the byte-bounded cache, fail points. */
export { crc32 } from './crc32.js';
export { SequentialFile, syncDirectory, listDirectory, tryRemove } from './directory.js';
export { WriterLock, LOCK_FILE } from './writer-lock.js';
export { ByteLru } from './byte-lru.js';
export { failPoint, armFailPoint, disarmFailPoint, disarmAllFailPoints, FAIL_POINTS, type FailPointAction, type FailPointName } from './fail-points.js';
