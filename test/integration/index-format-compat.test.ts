import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SparseIndex } from '../../app/index/index.js';
import { SpladeLikeGenerator } from '../../app/index/bench/index.js';

const fixture = fileURLToPath(new URL('../fixtures/index-v1/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'index-compat-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('index format v1 (checked-in fixture, test/fixtures/index-v1)', () => {
  it('opens, verifies, searches with the recorded results, and accepts new commits', () => {
    const dir = join(root, 'v1');
    cpSync(fixture, dir, { recursive: true });
    const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as {
      query: { indices: number[]; values: number[] };
      hits: { path: string; ordinal: number; score: number }[];
    };
    const index = SparseIndex.open(dir, { create: false });
    assert.equal(index.generation, 2);
    assert.deepEqual(index.payload, { fixture: 2 });
    assert.deepEqual(index.verify(), []);
    index.checkConsistency();
    assert.deepEqual(index.listFolders().map((f) => f.path), ['/fixture']);
    assert.equal(index.listFiles({ status: 'error' })[0]?.error, 'cannot read');
    assert.equal(index.getFile('/fixture/f5.md'), undefined);
    assert.equal(index.passagesOfFile('/fixture/f2.txt')[1]?.text, 'text 2.1');
    const query = { indices: Uint32Array.from(expected.query.indices), values: Float32Array.from(expected.query.values) };
    const hits = index.search(query, { k: 5 }).hits;
    assert.deepEqual(
      hits.map((h) => [h.file.path, h.passage.ordinal]),
      expected.hits.map((h) => [h.path, h.ordinal]),
    );
    hits.forEach((hit, i) => assert.ok(Math.abs(hit.score - expected.hits[i]!.score) < 1e-9));
    const writer = index.openWriter({ autoMerge: false });
    writer.upsertFile({ path: '/fixture/new.txt' }, [{ vector: new SpladeLikeGenerator({ seed: 3 }).document(1), charStart: 0, charEnd: 1 }]);
    writer.commit();
    index.checkConsistency();
    writer.close();
    index.close();
  });
});
