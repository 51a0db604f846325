/**
 * `splade-search watch` as a real process: it indexes, follows a change, keeps searching open to another process,
 * and on SIGINT (Ctrl-C) commits, prints its summary and exits 0.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliCaptured } from '../helpers/run-cli.js';
import { FIXTURE_V6, tempFolder } from '../unit/encoder-helpers.js';

const bin = fileURLToPath(new URL('../../app/cli/bin.ts', import.meta.url));

describe('splade-search watch', () => {
  let root: Awaited<ReturnType<typeof tempFolder>>;
  before(async () => {
    root = await tempFolder('engine-watch-cli-');
  });
  after(async () => {
    await root.dispose();
  });

  it('indexes, follows changes while another process searches, and exits cleanly on Ctrl-C', async () => {
    const folder = join(root.path, 'notes');
    const data = join(root.path, 'data');
    mkdirSync(folder);
    writeFileSync(join(folder, 'first.txt'), 'Stars form in clouds of gas and dust.\n');
    const env = { HOME: root.path, SPLADE_CACHE_DIR: join(root.path, 'onnx'), HF_HUB_OFFLINE: '1', PATH: process.env.PATH };
    const proc = spawn(process.execPath, ['--import', 'tsx', bin, 'watch', folder, '--data', data, '--model', FIXTURE_V6, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    const search = async (query: string) => {
      const result = await runCliCaptured(['search', query, '--data', data, '--json', '--k', '5'], { env });
      return result.code === 0 ? (JSON.parse(result.stdout) as { results: { path: string }[] }).results.map((r) => r.path) : [];
    };
    const waitForPath = async (query: string, path: string) => {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
        if ((await search(query)).includes(path)) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.fail(`${path} never found while watch runs (stderr: ${stderr})`);
    };
    try {
      await waitForPath('stars "clouds of gas"', join(folder, 'first.txt'));
      writeFileSync(join(folder, 'second.txt'), 'Copic markers use alcohol ink.\n');
      await waitForPath('markers "alcohol ink"', join(folder, 'second.txt'));
      proc.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
      const summary = JSON.parse(stdout.trim().split('\n').pop()!) as { files: { indexed: number } };
      assert.equal(summary.files.indexed, 2);
    } finally {
      proc.kill('SIGKILL');
    }
  });
});
