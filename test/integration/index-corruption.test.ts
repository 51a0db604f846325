import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IndexCorruptError, SparseIndex } from '../../app/index/index.js';
import { SpladeLikeGenerator } from '../../app/index/bench/index.js';
import { IndexModel, assertExactMatchesModel } from '../helpers/index-reference-model.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'index-corruption-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const generator = new SpladeLikeGenerator({ seed: 31 });

/** Two commits, so two segments: files a* in the first, b* in the second. */
function build(dir: string) {
  const index = SparseIndex.open(dir, { blockSize: 8, blocksPerPage: 2 });
  const writer = index.openWriter({ autoMerge: false });
  const vectors = new Map<string, ReturnType<typeof generator.document>[]>();
  let doc = 0;
  const segments: string[] = [];
  for (const group of ['a', 'b']) {
    for (let i = 0; i < 12; i++) {
      const path = `/c/${group}${i}.txt`;
      const list = Array.from({ length: 3 }, () => generator.document(doc++));
      vectors.set(path, list);
      writer.upsertFile({ path }, list.map((vector, j) => ({ vector, charStart: j, charEnd: j + 1, text: `${path}#${j}` })));
    }
    segments.push(...writer.commit().segmentsAdded);
  }
  writer.close();
  index.close();
  return { vectors, segments };
}

function modelOf(index: SparseIndex, vectors: Map<string, ReturnType<typeof generator.document>[]>, include: (path: string) => boolean) {
  const model = new IndexModel(index.scale);
  for (const [path, list] of vectors) {
    if (!include(path)) continue;
    model.setFile(path, index.getFile(path)!.id, index.passagesOfFile(path).map((p) => p.id), list);
  }
  return model;
}

const queries = Array.from({ length: 5 }, (_, q) => generator.query(q, 72).vector);

describe('corruption: detection and the rebuild path', () => {
  it('a truncated segment fails open with an error naming the file; repair keeps the catalog and marks files for re-encoding', () => {
    const dir = join(root, 'truncated');
    const { vectors, segments } = build(dir);
    const file = join(dir, `${segments[0]}.seg`);
    truncateSync(file, statSync(file).size - 1000);
    assert.throws(() => SparseIndex.open(dir), (error: unknown) => {
      assert.ok(error instanceof IndexCorruptError);
      assert.equal(error.file, file);
      assert.equal(error.segment, segments[0]);
      assert.match(error.message, new RegExp(`Cannot open segment ${segments[0]} \\(${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): file is \\d+ bytes, the index recorded \\d+ \\(truncated\\)`));
      return true;
    });

    const report = SparseIndex.repair(dir);
    assert.deepEqual(report.droppedSegments.map((s) => s.name), [segments[0]]);
    assert.deepEqual(report.files, Array.from({ length: 12 }, (_, i) => `/c/a${i}.txt`).sort());

    const index = SparseIndex.open(dir);
    // The catalog is kept: files (now pending, with a note) and their passage rows, without postings.
    assert.equal(index.listFiles().length, 24);
    const pending = index.listFiles({ status: 'pending' });
    assert.equal(pending.length, 12);
    assert.match(pending[0]!.error!, /segment .* was damaged and dropped; the file must be encoded again/);
    assert.equal(index.passagesOfFile('/c/a3.txt')[1]!.text, '/c/a3.txt#1');
    index.checkConsistency();
    const model = modelOf(index, vectors, (path) => path.startsWith('/c/b'));
    for (const [q, query] of queries.entries()) assertExactMatchesModel(index, model, query, 10, `after repair ${q}`);

    // Ingest re-encodes the pending files; everything is searchable again.
    const writer = index.openWriter({ autoMerge: false });
    for (const { path } of pending) {
      writer.upsertFile({ path }, vectors.get(path)!.map((vector, j) => ({ vector, charStart: j, charEnd: j + 1 })));
    }
    writer.commit();
    writer.close();
    assert.equal(index.listFiles({ status: 'pending' }).length, 0);
    index.checkConsistency();
    const full = modelOf(index, vectors, () => true);
    for (const [q, query] of queries.entries()) assertExactMatchesModel(index, full, query, 10, `after re-encoding ${q}`);
    index.close();
  });

  it('a flipped bit in a page is caught on first read and by verify(); repair {full} drops that segment', () => {
    const dir = join(root, 'bitflip');
    const { vectors, segments } = build(dir);
    const file = join(dir, `${segments[1]}.seg`);
    const bytes = readFileSync(file);
    bytes[100]! ^= 0x04;
    writeFileSync(file, bytes);

    const index = SparseIndex.open(dir);
    const problems = index.verify();
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.file, file);
    assert.match(problems[0]!.message, /page 0 .* fails its checksum/);
    assert.throws(
      () => {
        for (const query of queries) index.search(query, { k: 50 });
      },
      (error: unknown) => error instanceof IndexCorruptError && error.file === file && error.message.includes(file),
    );
    index.close();

    const report = SparseIndex.repair(dir, { full: true });
    assert.deepEqual(report.droppedSegments.map((s) => s.name), [segments[1]]);
    const repaired = SparseIndex.open(dir);
    assert.deepEqual(repaired.verify(), []);
    assert.equal(repaired.listFiles({ status: 'pending' }).length, 12);
    repaired.checkConsistency();
    const model = modelOf(repaired, vectors, (path) => path.startsWith('/c/a'));
    for (const [q, query] of queries.entries()) assertExactMatchesModel(repaired, model, query, 10, `after repair ${q}`);
    repaired.close();
  });

  it('a missing segment file is named; open with onCorruptSegment: repair fixes it in one step', () => {
    const dir = join(root, 'missing');
    const { segments } = build(dir);
    rmSync(join(dir, `${segments[1]}.seg`));
    assert.throws(() => SparseIndex.open(dir), new RegExp(`Cannot open segment ${segments[1]}: .*${segments[1]}\\.seg is missing`));
    const index = SparseIndex.open(dir, { onCorruptSegment: 'repair' });
    assert.equal(index.stats().segments.length, 1);
    assert.equal(index.listFiles({ status: 'pending' }).length, 12);
    index.checkConsistency();
    index.close();
  });

  it('a merge that meets a damaged segment fails alone: commits go on, the damaged segment is left out of merges', async () => {
    const dir = join(root, 'merge-fails');
    const { segments } = build(dir);
    const file = join(dir, `${segments[0]}.seg`);
    const bytes = readFileSync(file);
    bytes[100]! ^= 0x01;
    writeFileSync(file, bytes);
    const index = SparseIndex.open(dir);
    const writer = index.openWriter({ autoMerge: false });
    await assert.rejects(writer.forceMerge(1), (error: unknown) => error instanceof Error && /Merge of .* failed: .*fails its checksum/.test(error.message));
    writer.upsertFile({ path: '/c/new.txt' }, [{ vector: generator.document(999), charStart: 0, charEnd: 1 }]);
    writer.commit();
    assert.equal(index.stats().segments.length, 3);
    // The other segments still merge; the damaged one waits for a repair.
    await writer.forceMerge(1);
    assert.ok(index.stats().segments.some((s) => s.name === segments[0]));
    assert.equal(index.stats().segments.length, 2);
    writer.close();
    index.close();
    assert.deepEqual(SparseIndex.repair(dir, { full: true }).droppedSegments.map((s) => s.name), [segments[0]]);
  });
});
