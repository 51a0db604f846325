import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SparseIndex } from '../../app/index/index.js';
import { SpladeLikeGenerator } from '../../app/index/bench/index.js';
import { planCommit } from '../helpers/index-crash-plan.js';
import { IndexModel, assertExactMatchesModel } from '../helpers/index-reference-model.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'index-concurrency-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('concurrent readers see consistent snapshots', () => {
  it('a reader in another process, searching while this process commits and merges, always sees one whole commit', { timeout: 120_000 }, async () => {
    const dir = join(root, 'cross-process');
    const seed = 4;
    const reader = spawn(process.execPath, ['--import', 'tsx', new URL('../helpers/index-snapshot-reader.ts', import.meta.url).pathname, dir, String(seed), '5000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    reader.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => reader.on('exit', resolve));

    const index = SparseIndex.open(dir, { blockSize: 4, blocksPerPage: 2 });
    const writer = index.openWriter({ flushBytes: 6000, mergePolicy: { mergeFactor: 3, minSegmentDocs: 4 } });
    let commit = 0;
    let running = true;
    void exited.then(() => (running = false));
    while (running && commit < 2000) {
      commit++;
      for (const op of planCommit(seed, commit)) {
        if (op.kind === 'upsert') writer.upsertFile({ path: op.path }, op.vectors.map((vector, i) => ({ vector, charStart: i, charEnd: i + 1 })));
        else writer.deleteFile(op.path);
      }
      writer.commit({ commit });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    assert.equal(await exited, 0);
    await writer.waitForMerges();
    writer.close();
    index.close();
    if (process.env.CONCURRENCY_DEBUG) console.log(output, commit);
    const summary = JSON.parse(output) as { searches: number; generations: number; failures: number; firstFailure?: string };
    assert.equal(summary.failures, 0, summary.firstFailure);
    // The reader checks each answer against a model of its commit built from scratch, so its pace follows the
    // machine's load: 130-180 searches on an idle 2-core machine, 80 under a full test run. Dozens over more than ten
    // generations are what the test needs.
    assert.ok(summary.searches > 30, `only ${summary.searches} searches`);
    assert.ok(summary.generations > 10, `the reader saw only ${summary.generations} generations`);
  });

  it('searches in this thread keep running, exact, while a merge runs in its worker', async () => {
    const dir = join(root, 'in-process');
    const generator = new SpladeLikeGenerator({ seed: 8 });
    const index = SparseIndex.open(dir);
    const writer = index.openWriter({ autoMerge: false, flushBytes: 2_000_000 });
    const model = new IndexModel(index.scale);
    for (let f = 0; f < 600; f++) {
      const vectors = Array.from({ length: 4 }, (_, i) => generator.document(f * 4 + i));
      const { fileId, passageIds } = writer.upsertFile({ path: `/m/${f}.txt` }, vectors.map((vector, i) => ({ vector, charStart: i, charEnd: i + 1 })));
      model.setFile(`/m/${f}.txt`, fileId, passageIds, vectors);
    }
    writer.commit();
    assert.ok(index.stats().segments.length >= 2);
    const queries = Array.from({ length: 5 }, (_, q) => generator.query(q, 2400).vector);
    let merged = false;
    const merging = writer.forceMerge(1).then(() => (merged = true));
    let during = 0;
    const latencies: number[] = [];
    while (!merged) {
      for (const [q, query] of queries.entries()) {
        const start = performance.now();
        assertExactMatchesModel(index, model, query, 10, `during merge, query ${q}`);
        latencies.push(performance.now() - start);
        during++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await merging;
    assert.equal(index.stats().segments.length, 1);
    assert.ok(during >= 10, `only ${during} searches ran during the merge`);
    latencies.sort((a, b) => a - b);
    assert.ok(latencies[Math.floor(latencies.length / 2)]! < 200, `median search during the merge took ${latencies[latencies.length >> 1]} ms`);
    for (const [q, query] of queries.entries()) assertExactMatchesModel(index, model, query, 10, `after merge, query ${q}`);
    index.checkConsistency();
    writer.close();
    index.close();
  });
});
