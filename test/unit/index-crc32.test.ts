import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
// The index checksums its files with node:zlib's crc32 (Node 20.15+, Node 24): these checks pin that it is the
// IEEE 802.3 CRC-32 the segment format specifies, with the continuation the serializer relies on.
import { crc32 } from 'node:zlib';
import { Random } from '../../app/index/random.js';

/** Bitwise reference implementation (no tables). */
function slowCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32 (node:zlib)', () => {
  it('matches the standard check value and the empty input', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
  });

  it('matches a bitwise reference at every length and alignment, and continues across chunks', () => {
    const random = new Random(5);
    const bytes = Uint8Array.from({ length: 300 }, () => random.int(256));
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= bytes.length; end += 7) {
        const part = bytes.subarray(start, end);
        assert.equal(crc32(part), slowCrc32(part), `bytes ${start}..${end}`);
      }
    }
    const whole = crc32(bytes);
    assert.equal(crc32(bytes.subarray(131), crc32(bytes.subarray(0, 131))), whole);
  });

  it('equals the bitwise reference on a large buffer', () => {
    const random = new Random(6);
    const bytes = Uint8Array.from({ length: 100_003 }, () => random.int(256));
    assert.equal(crc32(bytes), slowCrc32(bytes));
  });

  it('changes on any single-bit flip', () => {
    const bytes = new Uint8Array(64).fill(0xa5);
    const reference = crc32(bytes);
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      bytes[bit >> 3]! ^= 1 << (bit & 7);
      assert.notEqual(crc32(bytes), reference);
      bytes[bit >> 3]! ^= 1 << (bit & 7);
    }
  });
});
