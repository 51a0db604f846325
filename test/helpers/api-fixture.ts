/**
 * A data folder for the API tests: the tiny model's fixture texts written as real files in two real folders and
 * indexed with their real vectors (the encoder run once per process, vectors cached), then a real Engine opened
 * on it. `root` is the temporary folder holding everything, so results from two fixtures compare after
 * replacing it.
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SparseEncoder, type SparseVector } from '../../app/encoder/index.js';
import { Engine } from '../../app/engine/engine.js';
import { SparseIndex } from '../../app/index/index.js';
import { FIXTURE_V6, readExpected, type Expected } from '../helpers/encoder-helpers.js';

export interface ApiFixture {
  root: string;
  dataDir: string;
  folders: { even: string; odd: string; spare: string };
  files: string[];
  expected: Expected;
  onnxCacheDir: string;
  openEngine(): Promise<Engine>;
  dispose(): Promise<void>;
}

let shared: Promise<{ expected: Expected; vectors: SparseVector[]; cacheDir: string }> | undefined;

function encodedFixture(): Promise<{ expected: Expected; vectors: SparseVector[]; cacheDir: string }> {
  shared ??= (async () => {
    const expected = await readExpected();
    const cacheDir = await mkdtemp(join(tmpdir(), 'api-onnx-'));
    // Shared by every fixture of this process, so removed when the process ends (no test disposes of it).
    process.once('exit', () => rmSync(cacheDir, { recursive: true, force: true }));
    const encoder = await SparseEncoder.load(FIXTURE_V6, { device: 'cpu', cacheDir });
    const vectors = await encoder.encodeDocument(expected.texts);
    await encoder.dispose();
    return { expected, vectors, cacheDir };
  })();
  return shared;
}

export async function createApiFixture(): Promise<ApiFixture> {
  const { expected, vectors, cacheDir } = await encodedFixture();
  const root = await mkdtemp(join(tmpdir(), 'api-fixture-'));
  const dataDir = join(root, 'data');
  const folders = { even: join(root, 'docs', 'even'), odd: join(root, 'docs', 'odd'), spare: join(root, 'docs', 'spare') };
  for (const folder of Object.values(folders)) await mkdir(folder, { recursive: true });
  const files = expected.texts.map((_, i) => join(i % 2 === 0 ? folders.even : folders.odd, `d${i}.txt`));
  await Promise.all(files.map((file, i) => writeFile(file, expected.texts[i]!)));
  const index = SparseIndex.open(join(dataDir, 'index'));
  const writer = index.openWriter({ keepVectors: true, autoMerge: false });
  writer.addFolder(folders.even);
  writer.addFolder(folders.odd);
  expected.texts.forEach((text, i) => {
    writer.upsertFile({ path: files[i]!, size: text.length, mtimeMs: Date.UTC(2024, 0, 1 + i) }, [
      { vector: vectors[i]!, charStart: 0, charEnd: text.length, line: 1, text },
    ]);
  });
  writer.commit({ builtWith: { model: FIXTURE_V6, passageTokens: 256, passageOverlap: 32 } });
  writer.close();
  index.close();
  return {
    root,
    dataDir,
    folders,
    files,
    expected,
    onnxCacheDir: cacheDir,
    // Indexing off: these tests are about the API, and the rows above stand for files already indexed.
    openEngine: () => Engine.open({ dataDir, model: FIXTURE_V6, onnxCacheDir: cacheDir, env: {}, indexing: 'off' }),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}
