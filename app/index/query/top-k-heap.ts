/** A bounded min-heap of the k best (score, doc) pairs so far; its minimum is the search's threshold. */

export class TopKHeap {
  readonly scores: Float64Array;
  /** Opaque doc keys (segment slot × 2^32 + local doc). */
  readonly keys: Float64Array;
  size = 0;

  constructor(readonly k: number) {
    this.scores = new Float64Array(k);
    this.keys = new Float64Array(k);
  }

  /** The score a doc must beat to enter: the k-th best so far, or 0 while the heap is not full. */
  get threshold(): number {
    return this.size < this.k ? 0 : this.scores[0]!;
  }

  /** Offers a doc; returns the new threshold. Callers check `score > threshold` first. */
  push(score: number, key: number): number {
    const scores = this.scores;
    const keys = this.keys;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (scores[parent]! <= score) break;
        scores[i] = scores[parent]!;
        keys[i] = keys[parent]!;
        i = parent;
      }
      scores[i] = score;
      keys[i] = key;
    } else {
      if (score <= scores[0]!) return scores[0]!;
      // Replace the root and sift down.
      let i = 0;
      const n = this.size;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && scores[child + 1]! < scores[child]!) child++;
        if (scores[child]! >= score) break;
        scores[i] = scores[child]!;
        keys[i] = keys[child]!;
        i = child;
      }
      scores[i] = score;
      keys[i] = key;
    }
    return this.size < this.k ? 0 : scores[0]!;
  }

  /** The entries, best first (ties: smaller key first, which is deterministic). */
  sorted(): { score: number; key: number }[] {
    const out: { score: number; key: number }[] = [];
    for (let i = 0; i < this.size; i++) out.push({ score: this.scores[i]!, key: this.keys[i]! });
    out.sort((a, b) => b.score - a.score || a.key - b.key);
    return out;
  }
}
