/**
 * An in-memory copy of the kept full-precision passage vectors, for exact scans without reading the catalog's blobs
 * (10,000 passages of a dense model are 45 MB of blobs: ~300 ms from SQLite, ~15 ms from here).
 *
 * Followed incrementally: passage rows never change once written (an update deletes them and inserts new ids;
 * AUTOINCREMENT never reuses one), so at a new commit only the live id list is read again, vanished ids are dropped
 * and new ones loaded. Held only while the copy fits `budgetBytes` (6 bytes a term); an index past it is scanned
 * from the catalog instead, and nothing stays in memory.
 */
import { decodeVectorBlob, type CatalogQueries } from './catalog/catalog.js';

interface ResidentVector {
  fileId: number;
  ids: Uint16Array;
  values: Float32Array;
}

/** Default memory budget of the copy. */
export const RESIDENT_VECTORS_BUDGET = 256 * 1024 * 1024;

export class ResidentVectors {
  private vectors = new Map<number, ResidentVector>();
  private generation = -1;
  private bytes = 0;
  private overBudget = false;

  constructor(private readonly budgetBytes = RESIDENT_VECTORS_BUDGET) {}

  /**
   * The copy at the catalog's committed `generation`, or undefined when it would exceed the budget (or ids do not
   * fit 16 bits). Call inside the caller's read transaction so that the id list and the blobs agree.
   */
  current(catalog: CatalogQueries, generation: number): ReadonlyMap<number, ResidentVector> | undefined {
    if (generation === this.generation) return this.overBudget ? undefined : this.vectors;
    const live = catalog.liveVectorIds();
    const next = new Map<number, ResidentVector>();
    const missing: number[] = [];
    let bytes = 0;
    for (const [id, fileId] of live) {
      const kept = this.vectors.get(id);
      if (kept) {
        kept.fileId = fileId;
        next.set(id, kept);
        bytes += 6 * kept.ids.length;
      } else missing.push(id);
    }
    this.vectors = next;
    this.generation = generation;
    const fileOf = new Map(live);
    for (let i = 0; i < missing.length && bytes <= this.budgetBytes; i += 1000) {
      for (const [id, blob] of catalog.passageVectorBlobs(missing.slice(i, i + 1000))) {
        const { indices, values } = decodeVectorBlob(blob);
        if (indices.length > 0 && indices[indices.length - 1]! > 0xffff) {
          bytes = Infinity;
          break;
        }
        next.set(id, { fileId: fileOf.get(id)!, ids: Uint16Array.from(indices), values });
        bytes += 6 * indices.length;
      }
    }
    this.bytes = bytes;
    this.overBudget = bytes > this.budgetBytes;
    if (this.overBudget) this.vectors = new Map();
    return this.overBudget ? undefined : this.vectors;
  }

  /** Bytes held (0 while over budget). */
  get heldBytes(): number {
    return this.overBudget ? 0 : this.bytes;
  }
}

/** Dot product of a dense query with a resident vector: the same additions, in the same order, as `sparseDot`. */
export function residentDot(dense: Float64Array, vector: ResidentVector): number {
  const { ids, values } = vector;
  let sum = 0;
  // Branch-free: a term outside the query adds +0, which leaves the sum unchanged (2.7x faster than skipping it).
  for (let i = 0; i < ids.length; i++) sum += dense[ids[i]!]! * values[i]!;
  return sum;
}
