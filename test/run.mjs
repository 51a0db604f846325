// Runs every test file (test/**/*.test.ts) with Node's built-in test runner, TypeScript loaded by tsx.
// Usage: node test/run.mjs [substring ...]  (only files whose path contains one of the substrings)
//
// Every test has a time limit, so that a regression that hangs (a lock never released, a worker never answering)
// fails CI instead of stalling it. Node's --test-timeout bounds each test and, on Node 20 to 24, each file as a
// whole (a file runs as one test of the parent runner), so files that legitimately run longer are listed below with
// their own limit and run in a separate runner.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Generous: the slowest ordinary file takes well under a minute on a loaded 2-core CI machine. */
const DEFAULT_TIMEOUT_MS = 120_000;
/**
 * Files that legitimately take longer as a whole (SIGKILL crash loops, a child-process bench, building a dozen graph
 * forms): path → limit for the whole file. encoder-gpu-forms takes ~30 s of CPU, ~125 s on a loaded 2-core machine.
 */
const FILE_TIMEOUT_MS = {
  'test/integration/encoder-gpu-forms.test.ts': 600_000,
  // On Mesa's software lavapipe (what CI installs) the WebGPU graphs build and run for ~2-4 minutes on 2 cores.
  'test/integration/encoder-gpu-webgpu.test.ts': 600_000,
  'test/integration/index-crash.test.ts': 1_500_000,
  'test/integration/index-bench-cli.test.ts': 300_000,
  'test/integration/index-concurrency.test.ts': 300_000,
};

const root = fileURLToPath(new URL('..', import.meta.url));
const filters = process.argv.slice(2);

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules' || name === 'tmp') continue;
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path).split('\\').join('/'));
  }
  return out;
}

const files = collect(join(root, 'test'), []).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error(`no test files match ${JSON.stringify(filters)}`);
  process.exit(1);
}

/** Files grouped by their limit, the default group first. */
const groups = new Map([[DEFAULT_TIMEOUT_MS, []]]);
for (const file of files) {
  const limit = FILE_TIMEOUT_MS[file] ?? DEFAULT_TIMEOUT_MS;
  if (!groups.has(limit)) groups.set(limit, []);
  groups.get(limit).push(file);
}

let status = 0;
for (const [limit, group] of groups) {
  if (group.length === 0) continue;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-timeout=${limit}`, '--test-reporter=spec', ...group], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) status = result.status ?? 1;
}
process.exit(status);
