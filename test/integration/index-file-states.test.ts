import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { SparseIndex } from '../../app/index/index.js';
import { SpladeLikeGenerator } from '../../app/index/bench/index.js';

const fixture = fileURLToPath(new URL('../fixtures/index-v1/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'index-states-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('index catalog format 2: file states, reason codes, kept vectors, renames', () => {
  it('upgrades a format-1 catalog in place, keeping ids, statuses and passages', () => {
    const dir = join(root, 'v1');
    cpSync(fixture, dir, { recursive: true });
    const before = new Database(join(dir, 'catalog.sqlite'), { readonly: true });
    const rows = before.prepare('SELECT id, path, status, error FROM files ORDER BY id').all();
    before.close();
    const index = SparseIndex.open(dir, { create: false });
    const after = index.listFiles().map((f) => ({ id: f.id, path: f.path, status: f.status, error: f.error }));
    assert.deepEqual(after.sort((a, b) => a.id - b.id), rows);
    const writer = index.openWriter({ autoMerge: false });
    writer.markFile({ path: '/fixture/big.bin', status: 'skipped', error: 'larger than 50 MiB', reasonCode: 'too-large' });
    writer.commit();
    writer.close();
    index.refresh();
    const skipped = index.getFile('/fixture/big.bin')!;
    assert.equal(skipped.status, 'skipped');
    assert.equal(skipped.reasonCode, 'too-large');
    index.checkConsistency();
    index.close();
    const db = new Database(join(dir, 'catalog.sqlite'), { readonly: true });
    assert.equal(db.pragma('user_version', { simple: true }), 2);
    db.close();
  });

  it('keeps full-precision vectors with their passages, and re-points a renamed file without touching them', () => {
    const dir = join(root, 'vectors');
    const index = SparseIndex.open(dir);
    const generator = new SpladeLikeGenerator({ seed: 7 });
    const vector = generator.document(0);
    const writer = index.openWriter({ autoMerge: false, keepVectors: true });
    writer.addFolder('/a');
    writer.addFolder('/b');
    const { passageIds } = writer.upsertFile({ path: '/a/x.md', size: 3 }, [{ vector, charStart: 0, charEnd: 3, text: 'abc' }]);
    writer.commit();
    const stored = index.passageVectors(passageIds).get(passageIds[0]!)!;
    assert.deepEqual([...stored.indices], [...vector.indices]);
    assert.deepEqual([...stored.values], [...vector.values]);

    assert.equal(writer.renameFile('/a/x.md', { path: '/b/y.txt', mtimeMs: 5 }), true);
    assert.equal(writer.renameFile('/a/missing.md', { path: '/b/z.txt' }), false);
    writer.commit();
    index.refresh();
    assert.equal(index.getFile('/a/x.md'), undefined);
    const moved = index.getFile('/b/y.txt')!;
    assert.equal(moved.ext, 'txt');
    assert.equal(moved.folderId, index.listFolders().find((f) => f.path === '/b')!.id);
    assert.equal(moved.mtimeMs, 5);
    assert.deepEqual(index.passagesOfFile('/b/y.txt').map((p) => p.id), passageIds);
    const hits = index.search(vector, { k: 1, filter: { folders: ['/b'] } }).hits;
    assert.equal(hits[0]?.file.path, '/b/y.txt');
    index.checkConsistency();
    writer.close();
    index.close();
  });
});
