/** A reference model of an index's content for tests: files → passages → quantized vectors, scored by brute force. */
import assert from 'node:assert/strict';
import { quantize, type SearchHit, type SparseIndex, type SparseVector } from '../../app/index/index.js';

export interface ModelPassage {
  id: number;
  fileId: number;
  path: string;
  terms: Uint32Array;
  impacts: Uint8Array;
}

export class IndexModel {
  /** path → passages */
  readonly files = new Map<string, ModelPassage[]>();
  readonly mtimes = new Map<string, number>();

  constructor(readonly scale: number) {}

  setFile(path: string, fileId: number, passageIds: number[], vectors: SparseVector[], mtimeMs?: number): void {
    this.files.set(
      path,
      vectors.map((vector, i) => ({
        id: passageIds[i]!,
        fileId,
        path,
        terms: Uint32Array.from(vector.indices),
        impacts: Uint8Array.from(vector.values, (value) => quantize(value, this.scale)),
      })),
    );
    if (mtimeMs !== undefined) this.mtimes.set(path, mtimeMs);
  }

  deleteFile(path: string): void {
    this.files.delete(path);
    this.mtimes.delete(path);
  }

  clone(): IndexModel {
    const copy = new IndexModel(this.scale);
    for (const [path, passages] of this.files) copy.files.set(path, passages);
    for (const [path, mtime] of this.mtimes) copy.mtimes.set(path, mtime);
    return copy;
  }

  *passages(): Generator<ModelPassage> {
    for (const list of this.files.values()) yield* list;
  }

  get passageCount(): number {
    let n = 0;
    for (const list of this.files.values()) n += list.length;
    return n;
  }

  /** Score (in weights) of one passage, summed in term order like the index does. */
  score(passage: ModelPassage, query: SparseVector): number {
    let i = 0;
    let j = 0;
    let sum = 0;
    while (i < passage.terms.length && j < query.indices.length) {
      const a = passage.terms[i]!;
      const b = query.indices[j]!;
      if (a === b) {
        if (query.values[j]! > 0) sum += query.values[j]! * passage.impacts[i]!;
        i++;
        j++;
      } else if (a < b) i++;
      else j++;
    }
    return sum * this.scale;
  }

  /** Brute-force top-k scores (positive only), best first. */
  topScores(query: SparseVector, k: number, accept?: (passage: ModelPassage) => boolean): number[] {
    const scores: number[] = [];
    for (const passage of this.passages()) {
      if (accept && !accept(passage)) continue;
      const score = this.score(passage, query);
      if (score > 0) scores.push(score);
    }
    return scores.sort((a, b) => b - a).slice(0, k);
  }

  byId(): Map<number, ModelPassage> {
    const map = new Map<number, ModelPassage>();
    for (const passage of this.passages()) map.set(passage.id, passage);
    return map;
  }
}

const EPSILON = 1e-9;

export function assertClose(actual: number, expected: number, message: string): void {
  assert.ok(Math.abs(actual - expected) <= EPSILON * Math.max(1, Math.abs(expected)), `${message}: ${actual} != ${expected}`);
}

/** Exact search must return the brute-force scores rank by rank, and each hit's own score must be right. */
export function assertExactMatchesModel(index: SparseIndex, model: IndexModel, query: SparseVector, k: number, label: string): SearchHit[] {
  const { hits } = index.search(query, { k, mode: 'exact' });
  const expected = model.topScores(query, k);
  const byId = model.byId();
  assert.equal(hits.length, expected.length, `${label}: ${hits.length} hits, brute force has ${expected.length}`);
  hits.forEach((hit, rank) => {
    assertClose(hit.score, expected[rank]!, `${label}: score at rank ${rank}`);
    const passage = byId.get(hit.passageId);
    assert.ok(passage, `${label}: hit ${hit.passageId} is not a live passage`);
    assertClose(hit.score, model.score(passage, query), `${label}: score of passage ${hit.passageId}`);
    assert.equal(hit.file.path, passage.path, `${label}: file of passage ${hit.passageId}`);
  });
  return hits;
}

/** Checks that the index holds exactly the model's files and passages (ids, file paths). */
export function assertCatalogMatchesModel(index: SparseIndex, model: IndexModel, label: string): void {
  const files = index.listFiles().filter((file) => file.status === 'indexed');
  assert.deepEqual(files.map((file) => file.path).sort(), [...model.files.keys()].sort(), `${label}: indexed files`);
  for (const [path, passages] of model.files) {
    const stored = index.passagesOfFile(path);
    assert.deepEqual(stored.map((p) => p.id), passages.map((p) => p.id), `${label}: passages of ${path}`);
  }
}
