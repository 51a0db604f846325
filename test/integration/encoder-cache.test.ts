import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { open, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SparseEncoder } from '../../app/encoder/index.js';
import { defaultOnnxCacheDir, OnnxCache } from '../../app/encoder/onnx-cache.js';
import { compareVector, FIXTURE_V6, useEncoderFixture } from '../helpers/encoder-helpers.js';

describe('ONNX graph cache', () => {
  const suite = useEncoderFixture('splade-cache-test-');

  const loadAndCheck = async (options: { attention?: 'plain' } = {}) => {
    const encoder = await SparseEncoder.load(FIXTURE_V6, { device: 'cpu', cacheDir: suite.cacheDir, ...options });
    try {
      const [vector] = await encoder.encodeDocument([suite.expected.texts[1]!]);
      compareVector(vector!, suite.expected.document[1]!, 'cached');
      return encoder.onnxModel;
    } finally {
      await encoder.dispose();
    }
  };

  it('defaults to $SPLADE_CACHE_DIR/onnx, else ~/.cache/splade-search/onnx', () => {
    assert.equal(defaultOnnxCacheDir({ SPLADE_CACHE_DIR: '/data/cache' }), join('/data/cache', 'onnx'));
    assert.match(defaultOnnxCacheDir({}), /\.cache[/\\]splade-search[/\\]onnx$/);
  });

  it('builds on the first load and reuses the cached file on the second', async () => {
    const first = await loadAndCheck();
    assert.equal(first.fromCache, false);
    const built = await stat(first.path);
    const second = await loadAndCheck();
    assert.equal(second.fromCache, true);
    assert.equal(second.path, first.path);
    assert.equal((await stat(second.path)).mtimeMs, built.mtimeMs);
    // Other build options are another entry.
    const plain = await loadAndCheck({ attention: 'plain' });
    assert.equal(plain.fromCache, false);
    assert.notEqual(plain.key, first.key);
    // No temporary files are left behind.
    assert.deepEqual((await readdir(suite.cacheDir)).filter((f) => f.includes('.tmp-')), []);
  });

  it('detects a corrupt or truncated cache file and rebuilds it', async () => {
    const { path } = await loadAndCheck();
    // Flip bytes in the middle (weights): the size is unchanged, only the checksum can tell.
    const handle = await open(path, 'r+');
    const { size } = await handle.stat();
    await handle.write(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]), 0, 8, Math.floor(size / 2));
    await handle.close();
    const rebuilt = await loadAndCheck();
    assert.equal(rebuilt.fromCache, false);
    assert.equal((await stat(path)).size, size);
    const truncate = await open(path, 'r+');
    await truncate.truncate(1000);
    await truncate.close();
    assert.equal((await loadAndCheck()).fromCache, false);
    assert.equal((await loadAndCheck()).fromCache, true);
  });

  it('ignores an entry whose metadata was never written (a crash while writing)', async () => {
    const store = new OnnxCache(join(suite.cacheDir, 'raw'));
    const entry = await store.put('k', [Buffer.from('model bytes')], { x: 1 });
    assert.deepEqual((await store.get('k'))?.meta.info, { x: 1 });
    await writeFile(join(suite.cacheDir, 'raw', 'k.json'), '{"size": 11, "sha2');
    assert.equal(await store.get('k'), undefined);
    assert.equal(entry.path, join(suite.cacheDir, 'raw', 'k.onnx'));
    assert.equal(await store.get('missing'), undefined);
  });
});
