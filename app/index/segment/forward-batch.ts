/**
 * An in-memory batch of passages not yet written: their quantized vectors in compressed-sparse-row form (u16 term
 * ids, u8 impacts), passage ids and file ids. This is the mutable "writer" side of a segment; the serializer turns
 * it into an immutable segment file.
 */

export class ForwardBatch {
  docCount = 0;
  postingCount = 0;
  /** Posting offset of each doc; offsets[docCount] = postingCount. */
  offsets = new Float64Array(1025);
  terms = new Uint16Array(16384);
  impacts = new Uint8Array(16384);
  pids = new Uint32Array(1024);
  fileIds = new Uint32Array(1024);
  /** Docs removed before the batch was written (a file replaced twice before a commit). */
  readonly removed = new Set<number>();

  /** Appends a doc; `terms` ascending, `impacts` 1..255. Returns its doc number within the batch. */
  add(pid: number, fileId: number, terms: ArrayLike<number>, impacts: ArrayLike<number>, count: number): number {
    const doc = this.docCount;
    if (doc + 2 > this.offsets.length) {
      this.offsets = grow(this.offsets, (doc + 2) * 2);
      this.pids = grow(this.pids, this.offsets.length);
      this.fileIds = grow(this.fileIds, this.offsets.length);
    }
    const start = this.postingCount;
    if (start + count > this.terms.length) {
      const size = Math.max((start + count) * 1.5, 16384) | 0;
      this.terms = grow(this.terms, size);
      this.impacts = grow(this.impacts, size);
    }
    for (let i = 0; i < count; i++) {
      this.terms[start + i] = terms[i]!;
      this.impacts[start + i] = impacts[i]!;
    }
    this.pids[doc] = pid;
    this.fileIds[doc] = fileId;
    this.postingCount = start + count;
    this.docCount = doc + 1;
    this.offsets[this.docCount] = this.postingCount;
    return doc;
  }

  get liveDocCount(): number {
    return this.docCount - this.removed.size;
  }

  /** Bytes held (for the writer's flush threshold). */
  get bytes(): number {
    return this.postingCount * 3 + this.docCount * 16;
  }
}

function grow<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(array: T, size: number): T {
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array);
  return next;
}

/** A read-only forward view of docs: what the serializer and the reordering need. */
export interface ForwardDocs {
  docCount: number;
  offsets: Float64Array;
  terms: Uint16Array;
  impacts: Uint8Array;
  pids: Uint32Array;
  fileIds: Uint32Array;
}
