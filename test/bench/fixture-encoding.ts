/**
 * The splade-tiny fixture for int8 checks: its folder (found next to this file or under the working directory, so
 * that a bundled copy of a benchmark finds it too), its float32 graph, and its texts encoded by a graph as the
 * encoder does it (prompt, lowercasing, truncation, one padded batch, activation).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InferenceSession } from 'onnxruntime-node';
import type { BertWeights } from '../../app/encoder/bert-weights.js';
import { readModelFolder, type SpladeModelFolder } from '../../app/encoder/model-folder.js';
import { loadBertWeights } from '../../app/encoder/model-weights.js';
import { buildBertGraph } from '../../app/encoder/onnx/bert-graph.js';
import type { OnnxModel } from '../../app/encoder/onnx/onnx-proto.js';
import { packOutput, runDenseBatch } from '../../app/encoder/onnx-runner.js';
import { unpackRows, type SparseVector } from '../../app/encoder/sparse-vector.js';
import { BertTokenizer, padBatch } from '../../app/encoder/tokenizer/index.js';
import type { OnnxRuntimeModule } from '../../app/onnxruntime/index.js';

export interface FixtureExpected {
  texts: string[];
  queries: string[];
  document: Array<{ indices: number[]; values: number[] }>;
  query: Array<{ indices: number[]; values: number[] }>;
}

/** test/fixtures/splade-tiny, next to this file in the repository or under the working directory. */
export function fixtureFolder(): string {
  const candidates = [fileURLToPath(new URL('../fixtures/splade-tiny', import.meta.url)), join(process.cwd(), 'test/fixtures/splade-tiny')];
  const found = candidates.find((c) => existsSync(join(c, 'expected.json')));
  if (!found) throw new Error(`cannot find the splade-tiny fixture (looked in ${candidates.join(', ')}); run from the repository root`);
  return found;
}

export interface LoadedFixture {
  model: SpladeModelFolder;
  tokenizer: BertTokenizer;
  /** The model's weights (LoRA merged), for building other forms of its graph. */
  weights: BertWeights;
  /** The encoder's float32 CPU graph of the fixture (fused operators). */
  graph: OnnxModel;
  expected: FixtureExpected;
  /** expected.json's vectors as sparse vectors. */
  documents: SparseVector[];
  queries: SparseVector[];
}

const toVector = (row: { indices: number[]; values: number[] }): SparseVector => ({ indices: Int32Array.from(row.indices), values: Float32Array.from(row.values) });

export async function loadFixture(): Promise<LoadedFixture> {
  const root = fixtureFolder();
  const model = await readModelFolder(join(root, 'splade-peft'));
  if (model.weights.format !== 'safetensors') throw new Error('the splade-tiny fixture should hold safetensors weights');
  const { weights } = await loadBertWeights(model.weights.files, model.weights.bertConfig, model.adapter);
  const tokenizer = await BertTokenizer.fromFolder(model.tokenizerFolder, { maxLength: model.maxSeqLength });
  const expected = JSON.parse(readFileSync(join(root, 'expected.json'), 'utf8')) as FixtureExpected;
  return { model, tokenizer, weights, graph: buildBertGraph(weights, { pooling: model.pooling }), expected, documents: expected.document.map(toVector), queries: expected.query.map(toVector) };
}

/** Encodes `texts` with `prompt` in one batch through `session` (a graph of the fixture's model), as the encoder does. */
export async function encodeTexts(ort: OnnxRuntimeModule, session: InferenceSession, fixture: LoadedFixture, texts: readonly string[], prompt: string): Promise<SparseVector[]> {
  const { model, tokenizer } = fixture;
  const ids = texts.map((text) => tokenizer.encodeIds(model.doLowerCase ? (prompt + text).toLowerCase() : prompt + text));
  const outputName = session.outputNames[0]!;
  const dense = await runDenseBatch(ort, session, outputName, padBatch(ids));
  return unpackRows(packOutput(dense, outputName, model.pooling.activation));
}
