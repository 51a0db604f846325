/** Shared helpers for the encoder tests: fixture paths, temporary copies of the fixture, JSON edits. */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isEncoderError, type EncoderErrorCode, type SparseEncoder, type SparseVector } from '../../app/encoder/index.js';

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

/** What `useEncoderFixture` gives a suite once its `before` hook ran. */
export interface EncoderFixture {
  /** The vectors sentence-transformers computed for the fixture (expected.json). */
  readonly expected: Expected;
  /** A fresh ONNX cache folder for this suite (pass as `cacheDir`), removed after it. */
  readonly cacheDir: string;
}

/**
 * The set-up every encoder integration suite shares: registers `before` (read expected.json, make a fresh cache
 * folder) and `after` (remove it) in the calling suite, and returns accessors valid inside its tests.
 */
export function useEncoderFixture(prefix = 'splade-cache-'): EncoderFixture {
  let expected: Expected | undefined;
  let cache: { path: string; dispose(): Promise<void> } | undefined;
  before(async () => {
    expected = await readExpected();
    cache = await tempFolder(prefix);
  });
  after(() => cache?.dispose());
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useEncoderFixture: read inside a test or hook, after its before hook ran');
    return value;
  };
  return {
    get expected() {
      return ready(expected);
    },
    get cacheDir() {
      return ready(cache).path;
    },
  };
}

/** Max |ours − reference| over the union of indices; asserts the same active dimensions (reference ≥ 1e-6). */
export function compareVector(ours: SparseVector, reference: SparseRow, label: string): number {
  const ref = new Map(reference.indices.map((index, k) => [index, reference.values[k]!]));
  const mine = new Map(Array.from(ours.indices, (index, k) => [index, ours.values[k]!]));
  for (let k = 1; k < ours.indices.length; k++) assert.ok(ours.indices[k]! > ours.indices[k - 1]!, `${label}: indices ascending`);
  let maxError = 0;
  for (const index of new Set([...ref.keys(), ...mine.keys()])) {
    const a = mine.get(index) ?? 0;
    const b = ref.get(index) ?? 0;
    if (b >= 1e-6) assert.ok(mine.has(index), `${label}: dimension ${index} (${b}) is missing`);
    if (a >= 1e-6) assert.ok(ref.has(index), `${label}: dimension ${index} (${a}) is not in the reference`);
    maxError = Math.max(maxError, Math.abs(a - b));
  }
  assert.ok(maxError <= 1e-5, `${label}: max error ${maxError}`);
  return maxError;
}

/** Checks documents, queries, similarities and decode against expected.json; returns the max weight error. */
export async function checkParity(encoder: SparseEncoder, expected: Expected, label: string): Promise<number> {
  const documents = await encoder.encodeDocument(expected.texts);
  const queries = await encoder.encodeQuery(expected.queries);
  let maxError = 0;
  documents.forEach((v, i) => (maxError = Math.max(maxError, compareVector(v, expected.document[i]!, `${label} document ${i}`))));
  queries.forEach((v, i) => (maxError = Math.max(maxError, compareVector(v, expected.query[i]!, `${label} query ${i}`))));
  assert.deepEqual(documents.map((d) => d.indices.length), expected.active_dims);
  expected.similarity.forEach((row, q) =>
    row.forEach((reference, d) => {
      const ours = encoder.similarity(queries[q]!, documents[d]!);
      assert.ok(Math.abs(ours - reference) <= 1e-4 * Math.abs(reference), `${label} similarity[${q}][${d}] ${ours} vs ${reference}`);
    }),
  );
  expected.decode.forEach((reference, d) => {
    const ours = encoder.decode(documents[d]!, 10);
    assert.deepEqual(ours.map(([token]) => token), reference.map(([token]) => token), `${label} decode ${d}`);
    ours.forEach(([, weight], k) => assert.ok(Math.abs(weight - reference[k]![1]) <= 1e-5));
  });
  return maxError;
}

/**
 * A validator for `assert.rejects`/`assert.throws`: the error is an EncoderError with `code`; `names`, when given,
 * checks that the message names the object it is about (file, tensor, option), not its wording.
 */
export function encoderError(code: EncoderErrorCode, names?: RegExp): (error: unknown) => true {
  return (error) => {
    assert.ok(isEncoderError(error), `expected an EncoderError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (names) assert.match(error.message, names);
    return true;
  };
}
