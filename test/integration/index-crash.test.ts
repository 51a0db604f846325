import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SparseIndex } from '../../app/index/index.js';
import { Random } from '../../app/index/random.js';
import { contentAfter, modelWithIds, queriesFor } from '../helpers/index-crash-plan.js';
import { assertCatalogMatchesModel, assertExactMatchesModel } from '../helpers/index-reference-model.js';

const child = new URL('../helpers/index-crash-writer.ts', import.meta.url).pathname;
let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'index-crash-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

interface RunResult {
  acked: number;
  start: number;
  signal: NodeJS.Signals | null;
  code: number | null;
  output: string;
}

/** Runs the writer child; kills it with SIGKILL `killAfterMs` after it is ready (unless it dies first). */
function runWriter(dir: string, seed: number, maxCommits: number, killAfterMs: number | undefined, env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, String(seed), String(maxCommits)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    let timer: NodeJS.Timeout | undefined;
    proc.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (killAfterMs !== undefined && timer === undefined && /ready \d+/.test(output)) {
        timer = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      const start = Number(/ready (\d+)/.exec(output)?.[1] ?? NaN);
      const commits = [...output.matchAll(/committed (\d+)/g)].map((m) => Number(m[1]));
      if (code !== 0 && signal !== 'SIGKILL') reject(new Error(`writer child failed (code ${code}): ${errors}`));
      else resolve({ acked: commits.length ? commits[commits.length - 1]! : start, start, signal, code, output });
    });
  });
}

/** Reopens the index and checks it holds exactly commit `acked` or `acked + 1` (the one in flight), consistently. */
function checkReopen(dir: string, seed: number, run: RunResult, label: string): number {
  const index = SparseIndex.open(dir);
  try {
    const got = (index.payload as { commit?: number } | null)?.commit ?? 0;
    assert.ok(got === run.acked || got === run.acked + 1, `${label}: reopened at commit ${got}, last acknowledged ${run.acked}`);
    index.checkConsistency();
    assert.deepEqual(index.verify(), [], `${label}: checksums`);
    const referenced = new Set(index.stats().segments.map((s) => `${s.name}.seg`));
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.seg') && !referenced.has(f)), [], `${label}: orphans left`);
    const model = modelWithIds(index.scale, contentAfter(seed, got), (path) => {
      const file = index.getFile(path);
      assert.ok(file, `${label}: file ${path} of commit ${got} is missing`);
      return { fileId: file.id, ids: index.passagesOfFile(path).map((p) => p.id) };
    });
    assertCatalogMatchesModel(index, model, label);
    for (const [q, query] of queriesFor(seed).entries()) assertExactMatchesModel(index, model, query, 10, `${label} query ${q}`);
    return got;
  } finally {
    index.close();
  }
}

describe('crash safety: SIGKILL at random points', () => {
  it('every reopen holds exactly the last committed state (60 kills over 3 index histories)', { timeout: 600_000 }, async () => {
    const random = new Random(2024);
    let kills = 0;
    let inFlightSeen = 0;
    for (const seed of [1, 2, 3]) {
      const dir = join(root, `random-${seed}`);
      for (let run = 0; run < 20; run++) {
        const result = await runWriter(dir, seed, 400, random.int(700));
        if (result.signal === 'SIGKILL') kills++;
        const got = checkReopen(dir, seed, result, `seed ${seed} run ${run} (started after ${result.start}, acked ${result.acked})`);
        if (got === result.acked + 1) inFlightSeen++;
        if (process.env.CRASH_DEBUG) console.log(`seed ${seed} run ${run}: start ${result.start} acked ${result.acked} got ${got} signal ${result.signal}`);
      }
      // The history went somewhere: merges and many commits happened across the kills.
      const index = SparseIndex.open(dir);
      assert.ok(((index.payload as { commit: number }).commit ?? 0) > 20, 'commits accumulated across runs');
      index.close();
    }
    assert.ok(kills >= 50, `only ${kills} runs were killed`);
    void inFlightSeen;
  });
});

describe('crash safety: SIGKILL at each named step of a commit and of a merge', () => {
  const points = [
    'segment.write',
    'segment.fsync',
    'segment.written',
    'commit.before-dir-sync',
    'commit.before-sqlite-commit',
    'commit.after-sqlite-commit',
    'commit.gc',
  ];
  for (const point of points) {
    it(`crash at ${point}`, { timeout: 120_000 }, async () => {
      const dir = join(root, `point-${point}`);
      const seed = 7;
      // Build some history first, then crash at the 2nd..4th time the point is reached.
      checkReopen(dir, seed, await runWriter(dir, seed, 6, undefined), `${point} warm-up`);
      for (const hit of [2, 4]) {
        const result = await runWriter(dir, seed, 30, undefined, { SPLADE_INDEX_FAIL_POINTS: `${point}=crash@${hit}` });
        assert.equal(result.signal, 'SIGKILL', `${point}@${hit} was reached`);
        const got = checkReopen(dir, seed, result, `${point}@${hit}`);
        if (point === 'commit.after-sqlite-commit' || point === 'commit.gc') assert.ok(got >= result.acked, 'the crashed commit is durable');
      }
      // The index keeps working after the crashes.
      checkReopen(dir, seed, await runWriter(dir, seed, 3, undefined), `${point} after`);
    });
  }
});
