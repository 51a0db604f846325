/**
 * `splade-search serve` as a user runs it: prints one URL on 127.0.0.1 with a token, answers the API with the
 * token only, serves the "build the renderer" page when the renderer is missing, exits 0 on SIGINT; refuses
 * other addresses.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FIXTURE_V6 } from '../unit/encoder-helpers.js';

const BIN = fileURLToPath(new URL('../../app/cli/bin.ts', import.meta.url));

function startCli(args: string[], env: NodeJS.ProcessEnv) {
  return spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { env: { ...process.env, ...env, HF_HUB_OFFLINE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('splade-search serve', () => {
  it('prints a tokened loopback URL, answers the API with the token only, and stops cleanly on SIGINT', async () => {
    const root = await mkdtemp(join(tmpdir(), 'serve-cli-'));
    const child = startCli(['serve', '--data', join(root, 'data'), '--model', FIXTURE_V6], { SPLADE_CACHE_DIR: join(root, 'cache') });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const url = new URL(line);
      assert.equal(url.hostname, '127.0.0.1');
      const token = url.searchParams.get('token')!;
      assert.ok(token.length >= 43);
      const api = await fetch(`${url.origin}/api/listFolders`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
      assert.equal(api.status, 200);
      assert.deepEqual(await api.json(), { ok: true, result: [] });
      const hostInfo = await fetch(`${url.origin}/api/hostInfo`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
      assert.equal(((await hostInfo.json()) as { result: { host: string } }).result.host, 'serve');
      assert.equal((await fetch(`${url.origin}/api`)).status, 401);
      // What a browser does with the printed URL: keep the cookie from the redirect, load the page with it.
      const first = await fetch(line, { redirect: 'manual' });
      assert.equal(first.status, 302);
      const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
      const page = await fetch(`${url.origin}/`, { headers: { cookie } });
      // In a checkout without a renderer build the page says how to build it; with one, it is the app.
      const html = await page.text();
      assert.ok(page.status === 200 || /npm run build:renderer/.test(html), html.slice(0, 200));
      child.kill('SIGINT');
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0, stderr);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(root, { recursive: true, force: true });
    }
  });

  it('refuses any address but 127.0.0.1', async () => {
    const child = startCli(['serve', '--host', '0.0.0.0', '--data', join(tmpdir(), 'never-created')], {});
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.notEqual(code, 0);
    assert.match(stderr, /127\.0\.0\.1 only/);
  });
});
