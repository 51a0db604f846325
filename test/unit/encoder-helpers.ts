/** Shared helpers for the encoder tests: fixture paths, temporary copies of the fixture, JSON edits. */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE = fileURLToPath(new URL('../fixtures/splade-tiny/', import.meta.url));
export const FIXTURE_V6 = join(FIXTURE, 'splade-peft');
export const FIXTURE_V5 = join(FIXTURE, 'splade-peft-v5');
export const FIXTURE_BASE = join(FIXTURE, 'base');

export interface SparseRow {
  indices: number[];
  values: number[];
}

export interface Expected {
  texts: string[];
  queries: string[];
  document: SparseRow[];
  query: SparseRow[];
  similarity: number[][];
  decode: Array<Array<[string, number]>>;
  active_dims: number[];
}

export async function readExpected(): Promise<Expected> {
  return JSON.parse(await readFile(join(FIXTURE, 'expected.json'), 'utf8')) as Expected;
}

/** A temporary copy of the whole fixture (base, splade-peft, splade-peft-v5); `dispose` removes it. */
export async function copyFixture(): Promise<{ root: string; v6: string; v5: string; base: string; dispose(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'splade-fixture-'));
  await cp(FIXTURE, root, { recursive: true });
  return {
    root,
    v6: join(root, 'splade-peft'),
    v5: join(root, 'splade-peft-v5'),
    base: join(root, 'base'),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

/** Rewrites a JSON file through `edit`. */
export async function editJson(path: string, edit: (json: any) => unknown): Promise<void> {
  const json = JSON.parse(await readFile(path, 'utf8'));
  const result = edit(json);
  await writeFile(path, JSON.stringify(result === undefined ? json : result, null, 2));
}

/** A fresh temporary folder; `dispose` removes it. */
export async function tempFolder(prefix = 'splade-test-'): Promise<{ path: string; dispose(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, dispose: () => rm(path, { recursive: true, force: true }) };
}
