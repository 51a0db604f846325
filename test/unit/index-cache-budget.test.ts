import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultCacheBytes } from '../../app/index/sparse-index.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('defaultCacheBytes', () => {
  it('is 1/16 of memory, at least 256 MiB and at most 1 GiB', () => {
    assert.equal(defaultCacheBytes(2 * GiB), 256 * MiB);
    assert.equal(defaultCacheBytes(8 * GiB), 512 * MiB);
    assert.equal(defaultCacheBytes(12 * GiB), 768 * MiB);
    assert.equal(defaultCacheBytes(24 * GiB), 1 * GiB);
    assert.equal(defaultCacheBytes(256 * GiB), 1 * GiB);
    // Whole MiB.
    assert.equal(defaultCacheBytes(8 * GiB + 12345) % MiB, 0);
  });
});
