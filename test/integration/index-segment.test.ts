import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ForwardBatch } from '../../app/index/segment/forward-batch.js';
import { reorderDocs } from '../../app/index/segment/doc-reorder.js';
import { serializeSegment } from '../../app/index/segment/segment-serializer.js';
import { SegmentReader, type CachedItem } from '../../app/index/segment/segment-reader.js';
import { ByteLru } from '../../app/index/storage/byte-lru.js';
import { IndexCorruptError, quantize } from '../../app/index/index.js';
import { SpladeLikeGenerator } from '../../app/index/bench/index.js';
import { Random } from '../../app/index/random.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'index-segment-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function makeBatch(n: number, seed: number, vocab = 30522): ForwardBatch {
  const batch = new ForwardBatch();
  const random = new Random(seed);
  const generator = new SpladeLikeGenerator({ seed, vocabSize: vocab, docTerms: [1, Math.min(700, vocab >> 2)], queryTerms: [1, 20] });
  for (let i = 0; i < n; i++) {
    const doc = generator.document(i);
    const impacts = Uint8Array.from(doc.values, (value) => quantize(value, 5 / 255));
    batch.add(1000 + i * 3, 7 + random.int(5), doc.indices, impacts, doc.indices.length);
  }
  return batch;
}

function write(batch: ForwardBatch, name: string, blockSize = 16, blocksPerPage = 3, vocabSize = 30522) {
  const live = Uint32Array.from({ length: batch.docCount }, (_, i) => i);
  const order = reorderDocs(batch, live);
  const path = join(root, `${name}.seg`);
  const result = serializeSegment(batch, order, { name, path, blockSize, blocksPerPage, vocabSize, scale: 5 / 255 });
  return { path, order, ...result };
}

describe('segment files', () => {
  it('round-trip: every doc decodes back to its terms and impacts, with its passage and file id', () => {
    const batch = makeBatch(700, 1);
    const { path, order, byteSize, meta } = write(batch, 'seg-1-0000aaaa');
    assert.equal(meta.docCount, 700);
    assert.equal(meta.postingCount, batch.postingCount);
    assert.equal(statSync(path).size, byteSize);
    const reader = SegmentReader.open(path, 'seg-1-0000aaaa', new ByteLru<CachedItem>(1 << 20), byteSize);
    const decoded = reader.decodeForward(undefined);
    assert.equal(decoded.docCount, 700);
    for (let local = 0; local < 700; local++) {
      const original = order[local]!;
      assert.equal(decoded.pids[local], batch.pids[original]);
      assert.equal(decoded.fileIds[local], batch.fileIds[original]);
      assert.equal(reader.docOfPassage(batch.pids[original]!), local);
      const a = batch.offsets[original]!;
      const b = batch.offsets[original + 1]!;
      assert.deepEqual(Array.from(decoded.terms.subarray(decoded.offsets[local]!, decoded.offsets[local + 1]!)), Array.from(batch.terms.subarray(a, b)));
      assert.deepEqual(Array.from(decoded.impacts.subarray(decoded.offsets[local]!, decoded.offsets[local + 1]!)), Array.from(batch.impacts.subarray(a, b)));
    }
    assert.equal(reader.docOfPassage(999), -1);
    reader.verify();
    reader.release();
  });

  it('block-max lists hold the max impact of each term in each block (dense and sparse lists)', () => {
    const batch = makeBatch(300, 2, 2000);
    const { path, order, byteSize } = write(batch, 'seg-1-0000bbbb', 8, 2, 2000);
    const reader = SegmentReader.open(path, 'seg-1-0000bbbb', new ByteLru<CachedItem>(64), byteSize);
    const expected = new Map<number, Map<number, number>>();
    order.forEach((doc, local) => {
      const block = Math.floor(local / 8);
      for (let p = batch.offsets[doc]!; p < batch.offsets[doc + 1]!; p++) {
        const term = batch.terms[p]!;
        let blocks = expected.get(term);
        if (!blocks) expected.set(term, (blocks = new Map()));
        blocks.set(block, Math.max(blocks.get(block) ?? 0, batch.impacts[p]!));
      }
    });
    let dense = 0;
    let sparse = 0;
    for (let term = 0; term < 2000; term++) {
      const list = reader.blockMax(term);
      const want = expected.get(term);
      if (!want) {
        assert.equal(list, undefined);
        continue;
      }
      const got = new Map<number, number>();
      if (list!.dense) {
        dense++;
        list!.dense.forEach((max, block) => max > 0 && got.set(block, max));
      } else {
        sparse++;
        for (let e = 0; e < list!.count; e++) got.set(list!.ids![e]!, list!.max![e]!);
      }
      assert.deepEqual([...got].sort((a, b) => a[0] - b[0]), [...want].sort((a, b) => a[0] - b[0]), `term ${term}`);
      assert.equal(reader.termMax[term], Math.max(...want.values()));
    }
    assert.ok(dense > 0 && sparse > 0, `dense ${dense}, sparse ${sparse}: both list kinds should occur`);
    reader.release();
  });

  it('detects truncation, a flipped bit in a page or list, and a foreign file, naming the file', () => {
    const batch = makeBatch(200, 3);
    const { path, byteSize } = write(batch, 'seg-1-0000cccc');
    const original = readFileSync(path);
    const open = () => SegmentReader.open(path, 'seg-1-0000cccc', new ByteLru<CachedItem>(1 << 20), byteSize);
    const expectCorrupt = (fn: () => unknown, pattern: RegExp) =>
      assert.throws(fn, (error: unknown) => {
        assert.ok(error instanceof IndexCorruptError, String(error));
        assert.equal(error.file, path);
        assert.ok(error.message.includes(path), error.message);
        assert.match(error.message, pattern);
        return true;
      });

    truncateSync(path, byteSize - 100);
    expectCorrupt(open, /truncated/);
    expectCorrupt(() => SegmentReader.open(path, 'seg-1-0000cccc', new ByteLru<CachedItem>(1)), /trailer magic/);

    // A flipped bit in the first page: open succeeds (pages are checked lazily), the first read of it fails.
    const flipped = Buffer.from(original);
    flipped[40]! ^= 0x10;
    writeFileSync(path, flipped);
    const reader = open();
    expectCorrupt(() => reader.pageOf(0), /page 0 .* fails its checksum/);
    expectCorrupt(() => reader.verify(), /fails its checksum/);
    reader.release();

    // A flipped bit in the trailer or the section table fails at open.
    for (const at of [byteSize - 20, byteSize - 40]) {
      const bad = Buffer.from(original);
      bad[at]! ^= 0x01;
      writeFileSync(path, bad);
      expectCorrupt(open, /checksum|magic|outside/);
    }

    writeFileSync(path, Buffer.alloc(byteSize, 7));
    expectCorrupt(open, /bad header magic/);
    writeFileSync(path, original);
    expectCorrupt(() => SegmentReader.open(path, 'seg-1-0000dddd', new ByteLru<CachedItem>(1), byteSize), /holds segment seg-1-0000cccc/);
    open().release();
  });

  it('a block whose postings exceed 65535 uses wide offsets', () => {
    const batch = new ForwardBatch();
    const terms = Uint16Array.from({ length: 3000 }, (_, i) => i * 10);
    const impacts = new Uint8Array(3000).fill(9);
    for (let i = 0; i < 30; i++) batch.add(i + 1, 1, terms, impacts, terms.length);
    const { path, byteSize } = write(batch, 'seg-1-0000eeee', 32, 1);
    const reader = SegmentReader.open(path, 'seg-1-0000eeee', new ByteLru<CachedItem>(1 << 24), byteSize);
    const decoded = reader.decodeForward(undefined);
    assert.equal(decoded.offsets[30], 90000);
    assert.deepEqual(Array.from(decoded.terms.subarray(0, 3000)), Array.from(terms));
    reader.release();
  });
});
