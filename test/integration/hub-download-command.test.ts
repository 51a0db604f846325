import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliCaptured } from '../helpers/run-cli.js';
import { BASE_REPO, MAIN_COMMIT, PEFT_REPO, startHubServer, type HubServer } from '../helpers/hub-server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let server: HubServer;
before(async () => {
  server = await startHubServer();
});
after(async () => {
  await server.close();
});

async function hubEnv(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const cache = await mkdtemp(join(tmpdir(), 'hub-cli-'));
  return { HF_ENDPOINT: server.endpoint, HF_HUB_CACHE: cache, HF_HOME: join(cache, 'home'), ...extra };
}

const run = (argv: string[], env: NodeJS.ProcessEnv) => runCliCaptured(argv, { env });

describe('splade-search download', () => {
  it('downloads the adapter and its base, prints both folders, and reports progress as plain lines off a TTY', async () => {
    const env = await hubEnv({ SPLADE_MODEL: PEFT_REPO });
    const first = await run(['download'], env);
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, new RegExp(`^model: .*models--test-org--splade-tiny-peft/snapshots/${MAIN_COMMIT} \\(test-org/splade-tiny-peft main = ${MAIN_COMMIT.slice(0, 10)}, downloaded 8 files\\)$`));
    assert.match(lines[1]!, new RegExp(`^base: .*models--test-org--splade-tiny-base/snapshots/${MAIN_COMMIT} \\(.*downloaded 5 files\\)$`));
    assert.match(first.stderr, /^downloaded model\.safetensors of test-org\/splade-tiny-base \(4\.17 MB; \d\/5 files\)$/m);
    assert.ok(!first.stderr.includes('\r'), 'no bar off a TTY');

    const second = await run(['download', '--json'], env);
    assert.equal(second.code, 0, second.stderr);
    const objects = second.stdout.trim().split('\n').map((line) => JSON.parse(line) as { role: string; downloaded: string[]; commit: string });
    assert.deepEqual(objects.map((o) => [o.role, o.downloaded.length, o.commit]), [['model', 0, MAIN_COMMIT], ['base', 0, MAIN_COMMIT]]);
    assert.equal(second.stderr, '');
  });

  it('verifies the cache offline and fails with one clear line when the model is missing', async () => {
    const env = await hubEnv();
    const missing = await run(['download', '--model', BASE_REPO], { ...env, HF_HUB_OFFLINE: '1' });
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    assert.match(missing.stderr, /^splade-search: Model test-org\/splade-tiny-base \(revision main\) is not available: HF_HUB_OFFLINE=1/);

    assert.equal((await run(['download', '--model', BASE_REPO], env)).code, 0);
    const cached = await run(['download', '--model', BASE_REPO], { ...env, HF_HUB_OFFLINE: '1' });
    assert.equal(cached.code, 0, cached.stderr);
    assert.match(cached.stdout, /^model: .* \(test-org\/splade-tiny-base main = \w+, from the cache: offline\)\n$/);
  });

  it('rejects bad flags and a bad model with usage errors', async () => {
    const env = await hubEnv();
    assert.equal((await run(['download', '--modle', 'x'], env)).code, 2);
    const bad = await run(['download', '--model', './no/such/folder'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--model is "\.\/no\/such\/folder", which is neither an existing folder/);
  });

  it('runs as a real process through the bin entry', async () => {
    const env = { ...process.env, ...(await hubEnv()), HF_TOKEN: '', HF_HUB_OFFLINE: '' };
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/cli/bin.ts', 'download', '--model', BASE_REPO, '--revision', 'v1'], { cwd: ROOT, env });
    const out: string[] = [];
    const err: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, err.join(''));
    assert.match(out.join(''), new RegExp(`^model: .*/snapshots/${MAIN_COMMIT} \\(${BASE_REPO} v1 = `));
  });
});
