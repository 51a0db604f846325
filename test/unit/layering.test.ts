/**
 * The one-way dependencies of the README's Architecture section, checked on every .ts/.tsx file of app/, main/ and
 * renderer/ (main/ and renderer/ may not exist yet: their rules apply once they do). The checker is pure; a planted
 * bad import per rule shows that each rule can fail.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLayering, importSpecifiers, type SourceFile } from '../helpers/layering-rules.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sources(folder: string, out: SourceFile[] = []): SourceFile[] {
  const dir = join(root, folder);
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(relative(root, path), out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push({ path: relative(root, path).split('\\').join('/'), text: readFileSync(path, 'utf8') });
  }
  return out;
}

describe('layering', () => {
  it('the repository keeps every rule', () => {
    const files = ['app', 'main', 'renderer'].flatMap((folder) => sources(folder));
    assert.ok(files.some((f) => f.path.startsWith('app/encoder/')) && files.some((f) => f.path.startsWith('app/index/')), 'the scan found the engine');
    const violations = checkLayering(files);
    assert.deepEqual(violations.map((v) => `${v.file} imports ${v.specifier}: ${v.rule}`), []);
  });

  it('fails on a planted bad import for each rule, naming the file, the import and the reason', () => {
    const planted: SourceFile[] = [
      { path: 'app/engine/window.ts', text: "import { BrowserWindow } from 'electron';" },
      { path: 'app/engine/shell.ts', text: "import { menu } from '../../main/menu.js';" },
      { path: 'app/cli/ui.ts', text: "export { App } from '../../renderer/app.js';" },
      { path: 'app/encoder/store.ts', text: "import type { SparseIndex } from '../index/index.js';" },
      { path: 'app/index/embed.ts', text: "const m = await import('../encoder/index.js');" },
      { path: 'app/encoder/onnx/read.ts', text: "import { extract } from '../../ingest/extract.js';" },
      { path: 'app/index/catalog/scan.ts', text: "import '../../ingest/scanner.js';" },
      { path: 'renderer/search-box.tsx', text: "import { SparseEncoder } from '../app/encoder/index.js';" },
      { path: 'app/onnxruntime/load.ts', text: "import { installCudaPack } from './cuda-install/index.js';" },
      { path: 'app/sparse/more.ts', text: "import type { SparseIndex } from '../index/index.js';" },
    ];
    const violations = checkLayering(planted);
    assert.deepEqual(
      violations.map((v) => v.file),
      planted.map((f) => f.path),
      'one violation per planted file',
    );
    assert.match(violations[0]!.rule, /without Electron/);
    assert.match(violations[3]!.rule, /encoder knows nothing of the index/);
    assert.match(violations[7]!.rule, /only through app\/api/);
    assert.equal(violations[4]!.specifier, '../encoder/index.js');
  });

  it('allows what the rules allow: the renderer through app/api, encoder and index through app/sparse, comments', () => {
    const allowed: SourceFile[] = [
      { path: 'renderer/app.tsx', text: "import type { Api } from '../app/api/api-contract.js';\nimport { useState } from 'react';" },
      { path: 'app/encoder/sparse-encoder.ts', text: "import { dot } from '../sparse/sparse-vector.js';\n// not '../index/index.js'\n/* import '../ingest/x.js' */" },
      { path: 'app/index/sparse-vector.ts', text: "export { dot as sparseDot } from '../sparse/sparse-vector.js';" },
      { path: 'app/onnxruntime/cuda-install/cuda-pack-install.ts', text: "import { cudaPackLayout } from '../cuda-pack.js';" },
      { path: 'main/main.ts', text: "import { app } from 'electron';\nimport { Engine } from '../app/engine/engine.js';" },
      { path: 'test/unit/x.test.ts', text: "import { SparseIndex } from '../../app/index/index.js'; import { SparseEncoder } from '../../app/encoder/index.js';" },
    ];
    assert.deepEqual(checkLayering(allowed), []);
  });

  it('reads every form of import', () => {
    const text = [
      "import a from 'a';",
      "import type { B } from './b.js';",
      "import {\n  c,\n  d,\n} from '../c.js';",
      "export * from './e.js';",
      "import 'f';",
      "const g = await import('./g.js');",
      "const h = require('h');",
      "// import nope from 'commented';",
    ].join('\n');
    assert.deepEqual(importSpecifiers(text).sort(), ['../c.js', './b.js', './e.js', './g.js', 'a', 'f', 'h']);
  });
});
