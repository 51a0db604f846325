/**
 * The Electron boundary holds: only `main/main.ts` (the wiring) and `main/preload.ts` (the sandboxed preload) import
 * `electron` at run time; every other main-process module gets what it uses through the narrow interfaces, so the
 * tests above exercise the real modules with fakes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../main/', import.meta.url));

describe('main/ Electron boundary', () => {
  it('imports electron at run time only in main.ts and preload.ts', async () => {
    const runtime: string[] = [];
    for (const name of (await readdir(MAIN)).filter((file) => file.endsWith('.ts'))) {
      const source = await readFile(join(MAIN, name), 'utf8');
      const imports = [...source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+['"]electron['"]/gm)];
      if (imports.some((match) => !match[1]) || /require\(['"]electron['"]\)/.test(source)) runtime.push(name);
    }
    assert.deepEqual(runtime.sort(), ['main.ts', 'preload.ts']);
  });
});
