/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial), table-driven with slicing-by-8. Node 20 has no zlib.crc32, so the
 * index computes its own; the result equals zlib.crc32 (Node 22) for the same bytes.
 */

const TABLES = (() => {
  const tables = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[n]!;
    for (let t = 1; t < 8; t++) {
      c = tables[c & 0xff]! ^ (c >>> 8);
      tables[t * 256 + n] = c;
    }
  }
  return tables;
})();

/** CRC-32 of `bytes`, continuing from `previous` (the CRC of the bytes before, 0 to start). Unsigned result. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const t = TABLES;
  let crc = ~previous;
  let i = 0;
  const length = bytes.length;
  // Head: bring the position to a multiple of 4 so the body can read aligned 32-bit words.
  const misalign = (bytes.byteOffset + i) & 3;
  const head = Math.min(length, misalign === 0 ? 0 : 4 - misalign);
  for (; i < head; i++) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  const words = (length - i) >>> 3;
  if (words > 0) {
    const view = new Int32Array(bytes.buffer, bytes.byteOffset + i, words * 2);
    for (let w = 0; w < view.length; w += 2) {
      const a = view[w]! ^ crc;
      const b = view[w + 1]!;
      crc =
        t[1792 + (a & 0xff)]! ^
        t[1536 + ((a >>> 8) & 0xff)]! ^
        t[1280 + ((a >>> 16) & 0xff)]! ^
        t[1024 + (a >>> 24)]! ^
        t[768 + (b & 0xff)]! ^
        t[512 + ((b >>> 8) & 0xff)]! ^
        t[256 + ((b >>> 16) & 0xff)]! ^
        t[b >>> 24]!;
    }
    i += words * 8;
  }
  for (; i < length; i++) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
