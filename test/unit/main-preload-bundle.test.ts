/**
 * The preload as Electron's sandbox loads it: the one CommonJS file `npm run build:main` bundles (built here with
 * the same esbuild command line, read from package.json), run in a fresh context whose `require` knows only
 * 'electron' (as a sandboxed preload's does), exposes the bridge and requires nothing else.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('bundled preload', () => {
  it('is one CommonJS file that needs only electron and exposes spladeIpc', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const command = pkg.scripts['build:main']!.split('&&').map((part) => part.trim()).find((part) => part.startsWith('esbuild '))!;
    const dir = await mkdtemp(join(tmpdir(), 'preload-'));
    try {
      const outfile = join(dir, 'preload.cjs');
      const args = command.split(/\s+/).slice(1).map((arg) => (arg.startsWith('--outfile=') ? `--outfile=${outfile}` : arg));
      const built = spawnSync(join(ROOT, 'node_modules', '.bin', 'esbuild'), args, { cwd: ROOT, encoding: 'utf8' });
      assert.equal(built.status, 0, built.stderr);
      const code = await readFile(outfile, 'utf8');
      const required: string[] = [];
      const exposed: Record<string, unknown> = {};
      const invoked: string[] = [];
      const electron = {
        contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
        ipcRenderer: { invoke: async (channel: string) => (invoked.push(channel), { ok: true, result: 1 }), on: () => undefined, removeListener: () => undefined },
      };
      const module = { exports: {} };
      vm.runInNewContext(code, {
        module,
        exports: module.exports,
        require: (name: string) => {
          required.push(name);
          if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
          return electron;
        },
      });
      assert.deepEqual(required, ['electron']);
      const bridge = exposed.spladeIpc as { call(m: string, p: unknown): Promise<{ ok: boolean }> };
      assert.deepEqual(Object.keys(bridge).sort(), ['call', 'subscribe']);
      assert.deepEqual(await bridge.call('status', {}), { ok: true, result: 1 });
      assert.deepEqual(invoked, ['api:status']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
