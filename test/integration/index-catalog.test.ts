import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { IndexError, IndexLockedError, InvalidVectorError, SparseIndex, isIndexError, type SparseVector } from '../../app/index/index.js';
import { SpladeLikeGenerator } from '../../app/index/bench/index.js';
import { armFailPoint, disarmAllFailPoints } from '../../app/index/storage/fail-points.js';
import { IndexModel, assertClose, assertExactMatchesModel } from '../helpers/index-reference-model.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'index-catalog-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const generator = new SpladeLikeGenerator({ seed: 21 });
let nextDoc = 0;
const passages = (n: number, withText = false) =>
  Array.from({ length: n }, (_, i) => ({
    vector: generator.document(nextDoc++),
    charStart: i * 50,
    charEnd: i * 50 + 49,
    page: 1 + (i >> 1),
    line: 1 + i * 3,
    text: withText ? `passage ${i}` : null,
  }));

describe('catalog: folders, files, passages', () => {
  it('records folders, files with metadata and status, passages with ranges, and keeps file ids stable', () => {
    const index = SparseIndex.open(join(root, 'catalog'));
    const writer = index.openWriter({ autoMerge: false });
    const docs = writer.addFolder('/home/u/docs');
    const notes = writer.addFolder('/home/u/docs/notes');
    assert.equal(writer.addFolder('/home/u/docs').id, docs.id);
    const a = writer.upsertFile({ path: '/home/u/docs/a.PDF', size: 1234, mtimeMs: 1_700_000_000_000, contentHash: 'h1' }, passages(3, true));
    const b = writer.upsertFile({ path: '/home/u/docs/notes/b.md', size: 10, mtimeMs: 5 }, passages(2));
    writer.markFile({ path: '/home/u/docs/broken.docx', size: 99, mtimeMs: 7, status: 'error', error: 'cannot parse: zip header missing' });
    writer.markFile({ path: '/home/u/docs/queued.txt', size: 1, mtimeMs: 8 });
    // Nothing is visible before the commit.
    assert.equal(index.listFiles().length, 0);
    assert.equal(index.listFolders().length, 0);
    writer.commit();
    assert.deepEqual(index.listFolders().map((f) => f.path), ['/home/u/docs', '/home/u/docs/notes']);
    const fileA = index.getFile('/home/u/docs/a.PDF')!;
    assert.equal(fileA.folderId, docs.id);
    assert.equal(fileA.ext, 'pdf');
    assert.equal(fileA.size, 1234);
    assert.equal(fileA.mtimeMs, 1_700_000_000_000);
    assert.equal(fileA.contentHash, 'h1');
    assert.equal(fileA.status, 'indexed');
    assert.equal(fileA.passageCount, 3);
    assert.equal(index.getFile('/home/u/docs/notes/b.md')!.folderId, notes.id);
    const broken = index.listFiles({ status: 'error' });
    assert.deepEqual(broken.map((f) => [f.path, f.error, f.passageCount]), [['/home/u/docs/broken.docx', 'cannot parse: zip header missing', 0]]);
    assert.deepEqual(index.listFiles({ status: 'pending' }).map((f) => f.path), ['/home/u/docs/queued.txt']);
    assert.deepEqual(index.listFiles({ folder: '/home/u/docs/notes' }).map((f) => f.path), ['/home/u/docs/notes/b.md']);
    const stored = index.passagesOfFile('/home/u/docs/a.PDF');
    assert.deepEqual(
      stored.map((p) => [p.id, p.ordinal, p.charStart, p.charEnd, p.page, p.line, p.text]),
      a.passageIds.map((id, i) => [id, i, i * 50, i * 50 + 49, 1 + (i >> 1), 1 + i * 3, `passage ${i}`]),
    );
    assert.equal(index.getPassage(b.passageIds[1]!)!.fileId, b.fileId);

    // Replacing keeps the file id, issues new passage ids, and the old ones disappear.
    const a2 = writer.upsertFile({ path: '/home/u/docs/a.PDF', mtimeMs: 1_800_000_000_000 }, passages(1));
    writer.commit();
    assert.equal(a2.fileId, a.fileId);
    assert.ok(a2.passageIds[0]! > Math.max(...a.passageIds, ...b.passageIds));
    assert.equal(index.getPassage(a.passageIds[0]!), undefined);
    assert.equal(index.getFile('/home/u/docs/a.PDF')!.size, 1234, 'fields left out keep their value');
    assert.equal(index.getFile('/home/u/docs/a.PDF')!.mtimeMs, 1_800_000_000_000);
    // An ingest error on an indexed file: status and message, passages kept until replaced.
    writer.markFile({ path: '/home/u/docs/notes/b.md', status: 'error', error: 'EACCES: permission denied' });
    writer.commit();
    assert.equal(index.getFile('/home/u/docs/notes/b.md')!.error, 'EACCES: permission denied');
    assert.equal(index.passagesOfFile('/home/u/docs/notes/b.md').length, 2);

    assert.equal(writer.removeFolder('/home/u/docs/notes'), 1);
    assert.equal(writer.deleteFile('/nope'), false);
    writer.commit();
    assert.equal(index.getFile('/home/u/docs/notes/b.md'), undefined);
    assert.equal(index.getPassage(b.passageIds[0]!), undefined);
    index.checkConsistency();
    writer.close();
    index.close();
  });

  it('rollback discards uncommitted changes; the commit payload is kept with the generation', () => {
    const index = SparseIndex.open(join(root, 'rollback'));
    const writer = index.openWriter({ autoMerge: false });
    writer.upsertFile({ path: '/r/1.txt' }, passages(2));
    writer.commit({ checkpoint: 'one' });
    writer.upsertFile({ path: '/r/2.txt' }, passages(2));
    writer.deleteFile('/r/1.txt');
    writer.rollback();
    writer.commit();
    assert.deepEqual(index.listFiles().map((f) => f.path), ['/r/1.txt']);
    assert.deepEqual(index.payload, { checkpoint: 'one' });
    assert.equal(index.generation, 1);
    writer.upsertFile({ path: '/r/3.txt' }, passages(1));
    assert.equal(writer.commit({ checkpoint: 'two' }).generation, 2);
    assert.deepEqual(index.payload, { checkpoint: 'two' });
    index.checkConsistency();
    writer.close();
    index.close();
  });
});

describe('search: filters, contributions, approximate mode', () => {
  const dir = () => join(root, 'search');
  let index: SparseIndex;
  let model: IndexModel;
  const queries: SparseVector[] = [];

  before(() => {
    index = SparseIndex.open(dir(), { blockSize: 16 });
    const writer = index.openWriter({ autoMerge: false, flushBytes: 300_000 });
    model = new IndexModel(index.scale);
    writer.addFolder('/f/one');
    writer.addFolder('/f/two');
    for (let i = 0; i < 240; i++) {
      const folder = i % 3 === 0 ? '/f/one' : i % 3 === 1 ? '/f/two' : '/elsewhere';
      const path = `${folder}/doc${i}.${['txt', 'md', 'pdf'][i % 4 === 0 ? 2 : i % 2]}`;
      const mtimeMs = 1000 * i;
      const input = passages(1 + (i % 4));
      const { fileId, passageIds } = writer.upsertFile({ path, mtimeMs }, input);
      model.setFile(path, fileId, passageIds, input.map((p) => p.vector), mtimeMs);
    }
    writer.commit();
    writer.close();
    for (let q = 0; q < 12; q++) queries.push(generator.query(q, nextDoc).vector);
  });
  after(() => index.close());

  it('exact search spans several segments and equals brute force', () => {
    assert.ok(index.stats().segments.length > 1);
    for (const [q, query] of queries.entries()) assertExactMatchesModel(index, model, query, 10, `query ${q}`);
  });

  it('filters by folder, file type and modification date, still exact', () => {
    const filters = [
      { filter: { folders: ['/f/one'] }, accept: (p: string) => p.startsWith('/f/one/') },
      { filter: { folders: ['/f/one/', '/f/two'] }, accept: (p: string) => p.startsWith('/f/') },
      { filter: { fileTypes: ['.PDF', 'md'] }, accept: (p: string) => p.endsWith('.pdf') || p.endsWith('.md') },
      { filter: { modifiedAfter: 50_000, modifiedBefore: 120_000 }, accept: (_: string, m: number) => m >= 50_000 && m <= 120_000 },
      { filter: { folders: ['/f/two'], fileTypes: ['txt'], modifiedAfter: 100_000 }, accept: (p: string, m: number) => p.startsWith('/f/two/') && p.endsWith('.txt') && m >= 100_000 },
      { filter: { fileTypes: [] }, accept: () => false },
    ];
    for (const { filter, accept } of filters) {
      for (const [q, query] of queries.slice(0, 6).entries()) {
        const { hits } = index.search(query, { k: 8, filter });
        const expected = model.topScores(query, 8, (p) => accept(p.path, model.mtimes.get(p.path)!));
        assert.deepEqual(hits.map((h) => h.score.toFixed(9)), expected.map((s) => s.toFixed(9)), `${JSON.stringify(filter)} query ${q}`);
        for (const hit of hits) assert.ok(accept(hit.file.path, hit.file.mtimeMs!), `${hit.file.path} passes ${JSON.stringify(filter)}`);
      }
    }
  });

  it('returns per-term contributions that add up to the score', () => {
    const byId = model.byId();
    for (const query of queries.slice(0, 4)) {
      const { hits } = index.search(query, { k: 5 });
      for (const hit of hits) {
        const passage = byId.get(hit.passageId)!;
        assert.ok(hit.terms.length > 0);
        let sum = 0;
        for (const [i, term] of hit.terms.entries()) {
          const q = query.indices.indexOf(term.term);
          assert.ok(q >= 0, `term ${term.term} is in the query`);
          assert.equal(term.queryWeight, query.values[q]);
          const p = passage.terms.indexOf(term.term);
          assert.ok(p >= 0, `term ${term.term} is in the passage`);
          assertClose(term.passageWeight, passage.impacts[p]! * index.scale, 'passage weight');
          assertClose(term.contribution, term.queryWeight * term.passageWeight, 'contribution');
          if (i > 0) assert.ok(term.contribution <= hit.terms[i - 1]!.contribution);
          sum += term.contribution;
        }
        assertClose(sum, hit.score, 'sum of contributions');
        // Every shared term is listed.
        const shared = Array.from(passage.terms).filter((t) => query.indices.includes(t));
        assert.equal(hit.terms.length, shared.length);
      }
    }
    assert.deepEqual(index.search(queries[0]!, { k: 2, contributions: false }).hits[0]!.terms, []);
  });

  it('approximate mode returns exact scores for its hits, high recall, and equals exact with the knobs off', () => {
    const byId = model.byId();
    let overlap = 0;
    for (const query of queries) {
      const exact = index.search(query, { k: 10 }).hits.map((h) => h.passageId);
      const approx = index.search(query, { k: 10, mode: 'approximate' });
      for (const hit of approx.hits) assertClose(hit.score, model.score(byId.get(hit.passageId)!, query), 'approximate hit score');
      assert.ok(approx.stats.queryTermsUsed <= approx.stats.queryTerms);
      overlap += approx.hits.filter((h) => exact.includes(h.passageId)).length / exact.length;
      const off = index.search(query, { k: 10, mode: 'approximate', approximation: { alpha: 1, queryMass: 1, maxQueryTerms: 1000 } });
      assert.deepEqual(off.hits.map((h) => h.score.toFixed(9)), index.search(query, { k: 10 }).hits.map((h) => h.score.toFixed(9)));
    }
    assert.ok(overlap / queries.length >= 0.9, `recall@10 ${overlap / queries.length}`);
  });

  it('rejects bad queries and options clearly', () => {
    assert.throws(() => index.search({ indices: Uint32Array.of(3, 2), values: Float32Array.of(1, 1) }), /query vector: indices must be strictly ascending/);
    assert.throws(() => index.search(queries[0]!, { k: 0 }), /k must be an integer in 1..10000/);
    assert.throws(() => index.search(queries[0]!, { mode: 'fast' as never }), /mode must be 'exact' or 'approximate'/);
  });

  it('keeps the cache within its byte budget (open loads no postings)', () => {
    const small = SparseIndex.open(dir(), { cacheBytes: 200_000 });
    assert.equal(small.stats().cacheBytes, 0);
    for (const query of queries) small.search(query, { k: 10 });
    const { cacheBytes, cacheBudget, segmentBytes } = small.stats();
    assert.ok(segmentBytes > cacheBudget * 3, 'the index is larger than the cache');
    assert.ok(cacheBytes <= cacheBudget + 150_000, `cache holds ${cacheBytes} bytes`);
    for (const [q, query] of queries.entries()) assertExactMatchesModel(small, model, query, 10, `small cache, query ${q}`);
    small.close();
  });
});

describe('bad input, disk errors and locking lose nothing', () => {
  it('an invalid vector in a batch changes nothing and the writer stays usable', () => {
    const index = SparseIndex.open(join(root, 'bad-input'));
    const writer = index.openWriter({ autoMerge: false });
    const good = passages(2);
    writer.upsertFile({ path: '/b/keep.txt' }, good);
    writer.commit();
    const before = index.passagesOfFile('/b/keep.txt').map((p) => p.id);
    // An uncommitted change made before the bad calls survives them.
    writer.upsertFile({ path: '/b/other.txt' }, passages(1));
    const bad = passages(3);
    bad[2] = { ...bad[2]!, vector: { indices: Uint32Array.of(5, 5), values: Float32Array.of(1, 1) } };
    assert.throws(() => writer.upsertFile({ path: '/b/keep.txt' }, bad), (error: unknown) => {
      assert.ok(error instanceof InvalidVectorError);
      assert.match((error as Error).message, /passage 2 of \/b\/keep\.txt: .*found 5 after 5 .*duplicate/);
      return true;
    });
    assert.throws(() => writer.upsertFile({ path: '/b/x.txt' }, [{ ...good[0]!, charStart: 5, charEnd: 2 }]), /character range \[5, 2\)/);
    assert.throws(() => writer.upsertFile({ path: '' }, []), /file path must be a non-empty string/);
    assert.throws(() => writer.markFile({ path: '/b/y', status: 'done' as never }), /must be one of pending, indexed, error, skipped, unavailable/);
    assert.ok(writer.hasUncommittedChanges);
    writer.commit();
    assert.deepEqual(index.passagesOfFile('/b/keep.txt').map((p) => p.id), before);
    assert.deepEqual(index.listFiles().map((f) => f.path), ['/b/keep.txt', '/b/other.txt']);
    index.checkConsistency();
    writer.close();
    index.close();
  });

  for (const point of ['segment.write', 'segment.fsync', 'commit.before-sqlite-commit'] as const) {
    it(`a disk error (ENOSPC at ${point}) aborts the commit and keeps the last one intact`, () => {
      const dir = join(root, `enospc-${point}`);
      const index = SparseIndex.open(dir);
      const writer = index.openWriter({ autoMerge: false });
      const model = new IndexModel(index.scale);
      const first = passages(4);
      const r = writer.upsertFile({ path: '/e/1.txt' }, first);
      model.setFile('/e/1.txt', r.fileId, r.passageIds, first.map((p) => p.vector));
      writer.commit({ n: 1 });
      const filesBefore = readdirSync(dir).sort();
      writer.upsertFile({ path: '/e/2.txt' }, passages(3));
      writer.deleteFile('/e/1.txt');
      armFailPoint(point, 'enospc');
      try {
        assert.throws(() => writer.commit({ n: 2 }), (error: unknown) => {
          assert.ok(isIndexError(error, 'commit-failed'), String(error));
          assert.match((error as Error).message, /Commit failed; the index stays at generation 1: ENOSPC/);
          return true;
        });
      } finally {
        disarmAllFailPoints();
      }
      assert.equal(index.generation, 1);
      assert.deepEqual(index.payload, { n: 1 });
      assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.seg')).sort(), filesBefore.filter((f) => f.endsWith('.seg')));
      for (const q of [0, 1, 2]) assertExactMatchesModel(index, model, generator.query(q, nextDoc).vector, 5, `after failed commit ${q}`);
      index.checkConsistency();
      // The writer keeps working; reopening shows the last commit.
      writer.upsertFile({ path: '/e/3.txt' }, passages(1));
      writer.commit();
      writer.close();
      index.close();
      const reopened = SparseIndex.open(dir);
      assert.deepEqual(reopened.listFiles().map((f) => f.path), ['/e/1.txt', '/e/3.txt']);
      reopened.checkConsistency();
      reopened.close();
    });
  }

  it('a second writer gets a clear error, in this process and in another one', () => {
    const dir = join(root, 'locked');
    const index = SparseIndex.open(dir);
    const writer = index.openWriter();
    assert.throws(() => index.openWriter(), (error: unknown) => error instanceof IndexLockedError && isIndexError(error, 'index-locked'));
    const other = SparseIndex.open(dir);
    assert.throws(() => other.openWriter(), (error: unknown) => {
      assert.ok(error instanceof IndexLockedError);
      assert.match((error as Error).message, /another writer .* holds .*writer\.lock/);
      return true;
    });
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { SparseIndex } from ${JSON.stringify(new URL('../../app/index/index.ts', import.meta.url).href)};
         const index = SparseIndex.open(${JSON.stringify(dir)});
         try { index.openWriter(); console.log('opened'); } catch (e) { console.log(e.name + ': ' + e.message); }
         index.close();`,
      ],
      { encoding: 'utf8' },
    );
    assert.match(child.stdout, /IndexLockedError: Cannot open a writer on the index/);
    writer.close();
    const again = other.openWriter();
    again.close();
    other.close();
    index.close();
  });

  it('an empty index, empty vectors and k beyond the passage count behave', () => {
    const index = SparseIndex.open(join(root, 'empty'));
    const query = generator.query(0, 10).vector;
    assert.deepEqual(index.search(query).hits, []);
    assert.deepEqual(index.search(query, { mode: 'approximate' }).hits, []);
    const writer = index.openWriter();
    const [one] = passages(1);
    writer.upsertFile({ path: '/z/empty-vector.txt' }, [{ vector: { indices: new Uint32Array(0), values: new Float32Array(0) }, charStart: 0, charEnd: 0 }, one!]);
    writer.commit();
    const { hits } = index.search(one!.vector, { k: 50 });
    assert.equal(hits.length, 1, 'a passage without terms matches nothing');
    assert.equal(index.passagesOfFile('/z/empty-vector.txt').length, 2);
    index.checkConsistency();
    writer.close();
    index.close();
  });

  it('reports misuse after close clearly', () => {
    const index = SparseIndex.open(join(root, 'closed'));
    const writer = index.openWriter();
    writer.close();
    assert.throws(() => writer.upsertFile({ path: '/x' }, []), (error: unknown) => error instanceof IndexError && error.code === 'index-closed');
    index.close();
    assert.throws(() => index.search({ indices: Uint32Array.of(1), values: Float32Array.of(1) }), /is closed/);
    assert.throws(() => SparseIndex.open(join(root, 'absent'), { create: false }), /No index in/);
  });
});
