import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCliCaptured } from '../helpers/run-cli.js';

const REQUIRED_KEYS = [
  'passages',
  'build_passages_per_s',
  'bytes_per_posting',
  'open_ms',
  'rss_mb',
  'exact_p50_ms',
  'exact_p99_ms',
  'approx_p50_ms',
  'approx_p99_ms',
  'approx_recall_at_10',
  'brute_force_p50_ms',
];

async function cli(argv: string[]) {
  const { code, stdout, stderr } = await runCliCaptured(argv);
  return { code, out: stdout, err: stderr };
}

describe('splade-search bench-index', () => {
  it('the real CLI prints one JSON object with the required figures', { timeout: 180_000 }, () => {
    const bin = fileURLToPath(new URL('../../app/cli/bin.ts', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', bin, 'bench-index', '--passages', '3000', '--queries', '15', '--json'], {
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'exactly one line on stdout');
    const figures = JSON.parse(lines[0]!) as Record<string, unknown>;
    for (const key of REQUIRED_KEYS) assert.equal(typeof figures[key], 'number', `${key} is a number`);
    assert.equal(figures.passages, 3000);
    assert.equal(figures.exact_matches_brute_force, '15/15', 'exact search equals brute force');
    assert.ok((figures.approx_recall_at_10 as number) > 0.8);
    assert.ok((figures.bytes_per_posting as number) > 0 && (figures.bytes_per_posting as number) < 5);
    assert.match(result.stderr, /bench-index: build done/);
  });

  it('reports usage errors with exit code 2', async () => {
    const missing = await cli(['bench-index', '--queries', '5']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--passages is required/);
    const bad = await cli(['bench-index', '--passages', 'ten', '--queries', '5']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--passages must be a positive integer, got "ten"/);
    const unknown = await cli(['bench-index', '--passages', '10', '--queries', '5', '--fast']);
    assert.equal(unknown.code, 2);
    const help = await cli(['bench-index', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /usage: splade-search bench-index --passages N --queries Q/);
  });
});
