/**
 * The deterministic write plan of the crash suite: commit n applies `planCommit(seed, n)` and stores payload
 * {commit: n}. The writer child follows it; the test replays it to know the exact content of any commit.
 */
import { Random } from '../../app/index/random.js';
import { type SparseVector } from '../../app/index/index.js';
import { SpladeLikeGenerator } from '../../app/index/bench/index.js';
import { IndexModel } from './index-reference-model.js';

export type PlannedOp = { kind: 'upsert'; path: string; vectors: SparseVector[] } | { kind: 'delete'; path: string };

const generator = new SpladeLikeGenerator({ seed: 5, docTerms: [20, 120], queryTerms: [10, 60] });

export function planCommit(seed: number, commit: number): PlannedOp[] {
  const random = new Random(seed, 1000 + commit);
  const ops: PlannedOp[] = [];
  const count = random.intBetween(1, 6);
  for (let i = 0; i < count; i++) {
    const path = `/crash/${random.int(24)}.txt`;
    if (random.next() < 0.75) {
      const n = random.intBetween(0, 5);
      const base = commit * 1000 + i * 10;
      ops.push({ kind: 'upsert', path, vectors: Array.from({ length: n }, (_, j) => generator.document(base + j)) });
    } else {
      ops.push({ kind: 'delete', path });
    }
  }
  return ops;
}

/** Files → vectors after commit `commit` (passage ids are not modelled: the test reads them from the catalog). */
export function contentAfter(seed: number, commit: number): Map<string, SparseVector[]> {
  const files = new Map<string, SparseVector[]>();
  for (let c = 1; c <= commit; c++) {
    for (const op of planCommit(seed, c)) {
      if (op.kind === 'upsert') files.set(op.path, op.vectors);
      else files.delete(op.path);
    }
  }
  return files;
}

export function queriesFor(seed: number): SparseVector[] {
  return Array.from({ length: 4 }, (_, q) => generator.query(seed * 10 + q, 20_000).vector);
}

/** A model with the catalog's passage ids (in ordinal order) attached to the planned vectors. */
export function modelWithIds(scale: number, files: Map<string, SparseVector[]>, idsOf: (path: string) => { fileId: number; ids: number[] }): IndexModel {
  const model = new IndexModel(scale);
  for (const [path, vectors] of files) {
    const { fileId, ids } = idsOf(path);
    model.setFile(path, fileId, ids, vectors);
  }
  return model;
}
