/** A least-recently-used cache bounded by bytes: hot segment pages and block-max lists, the rest stays on disk. */

export class ByteLru<V> {
  private readonly entries = new Map<number, { value: V; bytes: number }>();
  private used = 0;
  hits = 0;
  misses = 0;

  constructor(private budget: number) {}

  get bytesUsed(): number {
    return this.used;
  }

  get byteBudget(): number {
    return this.budget;
  }

  setBudget(bytes: number): void {
    this.budget = bytes;
    this.evict();
  }

  get(key: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Move to the most recent end.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: number, value: V, bytes: number): void {
    const old = this.entries.get(key);
    if (old) {
      this.used -= old.bytes;
      this.entries.delete(key);
    }
    this.entries.set(key, { value, bytes });
    this.used += bytes;
    this.evict();
  }

  /** Drops every entry whose key satisfies `predicate` (a closed segment's pages). */
  deleteWhere(predicate: (key: number) => boolean): void {
    for (const [key, entry] of this.entries) {
      if (predicate(key)) {
        this.used -= entry.bytes;
        this.entries.delete(key);
      }
    }
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  private evict(): void {
    if (this.used <= this.budget) return;
    for (const [key, entry] of this.entries) {
      if (this.used <= this.budget) break;
      // Keep at least the most recent entry even when it alone exceeds the budget.
      if (this.entries.size === 1) break;
      this.entries.delete(key);
      this.used -= entry.bytes;
    }
  }
}
