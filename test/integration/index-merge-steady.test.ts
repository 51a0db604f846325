import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SparseIndex, type SparseVector } from '../../app/index/index.js';
import { SpladeLikeGenerator } from '../../app/index/bench/index.js';
import { DEFAULT_MERGE_POLICY, findMerges } from '../../app/index/merge/merge-policy.js';
import { IndexModel, assertExactMatchesModel } from '../helpers/index-reference-model.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'index-merge-steady-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const generator = new SpladeLikeGenerator({ seed: 11, docTerms: [20, 80], queryTerms: [10, 40] });
const passages = (vectors: SparseVector[]) => vectors.map((vector, i) => ({ vector, charStart: i * 10, charEnd: i * 10 + 9 }));

describe('merges keep up with a writer that commits steadily', () => {
  it('keeps the segment count within maxSegments while commits keep coming, and waitForMerges leaves nothing running', { timeout: 60_000 }, async (t) => {
    const dir = join(root, 'steady');
    const index = SparseIndex.open(dir, { blockSize: 4, blocksPerPage: 2 });
    // Small tiers, so that merges of several sizes (both lanes) happen within seconds.
    const policy = { mergeFactor: 4, minSegmentDocs: 8 };
    const writer = index.openWriter({ mergePolicy: policy });
    const model = new IndexModel(index.scale);
    let doc = 0;
    let commits = 0;
    let most = 0;
    const counts: number[] = [];
    // 60 commits back to back (a few seconds: each fsyncs), each adding a segment and now and then replacing or
    // deleting an earlier file; merges run in their workers meanwhile and are swapped in between commits. The bound
    // is asserted after the first 10 commits and their merges: the merge worker's start-up (a second or more from
    // TypeScript sources on a loaded machine, once per writer) is not what is measured.
    while (commits < 60) {
      const path = `/steady/${commits % 7 === 3 ? commits - 3 : commits}.txt`;
      if (commits % 11 === 5) {
        writer.deleteFile(`/steady/${commits - 5}.txt`);
        model.deleteFile(`/steady/${commits - 5}.txt`);
      }
      const vectors = Array.from({ length: 4 }, () => generator.document(doc++));
      const { fileId, passageIds } = writer.upsertFile({ path }, passages(vectors));
      model.setFile(path, fileId, passageIds, vectors);
      writer.commit({ commits: ++commits });
      if (commits === 10) await writer.waitForMerges();
      if (commits > 10) {
        counts.push(index.stats().segments.length);
        most = Math.max(most, counts.at(-1)!);
      }
      await sleep(5);
    }
    t.diagnostic(`segments after each commit: ${counts.join(' ')}`);
    assert.ok(most <= DEFAULT_MERGE_POLICY.maxSegments, `${most} segments at once (bound ${DEFAULT_MERGE_POLICY.maxSegments}): ${counts.join(' ')}`);
    assert.ok(most > 4, `merges ran, but segments also accumulated between them: ${counts.join(' ')}`);

    await writer.waitForMerges();
    // Nothing merges any more: every merge the policy wants was run and committed.
    const segments = index.stats().segments;
    assert.deepEqual(findMerges(segments, { ...DEFAULT_MERGE_POLICY, ...policy }), []);
    const files = readdirSync(dir).filter((name) => name.endsWith('.seg'));
    assert.equal(files.length, segments.length, 'no merge output left uncommitted');
    writer.close();
    index.close();

    const reopened = SparseIndex.open(dir);
    assert.equal(reopened.stats().segments.length, segments.length);
    reopened.checkConsistency();
    for (let q = 0; q < 4; q++) assertExactMatchesModel(reopened, model, generator.query(q, doc).vector, 10, `steady query ${q}`);
    reopened.close();
  });

  it('waitForMerges also commits merges that need no worker (no live doc) and the merges their commits start', { timeout: 60_000 }, async () => {
    const dir = join(root, 'no-live');
    const index = SparseIndex.open(dir);
    const writer = index.openWriter();
    const vectors = Array.from({ length: 5 }, (_, i) => generator.document(1000 + i));
    writer.upsertFile({ path: '/z/1.txt' }, passages([vectors[0]!]));
    writer.commit();
    writer.upsertFile({ path: '/z/2.txt' }, passages([vectors[1]!]));
    writer.commit();
    writer.upsertFile({ path: '/z/3.txt' }, passages([vectors[2]!]));
    writer.upsertFile({ path: '/z/4.txt' }, passages(vectors.slice(3)));
    writer.commit();
    assert.equal(index.stats().segments.length, 3);
    // Segments 1 and 2 lose every doc (merges without live docs), segment 3 loses half (a merge in a worker).
    for (const path of ['/z/1.txt', '/z/2.txt', '/z/3.txt']) writer.deleteFile(path);
    writer.commit();
    await writer.waitForMerges();
    writer.close();
    index.close();

    const reopened = SparseIndex.open(dir);
    const segments = reopened.stats().segments;
    assert.equal(segments.length, 1, JSON.stringify(segments));
    assert.equal(segments[0]!.deletedCount, 0);
    assert.equal(segments[0]!.docCount, 2);
    reopened.checkConsistency();
    reopened.close();
  });
});
