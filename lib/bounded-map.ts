/**
 * A map that keeps at most about twice `perGeneration` entries: in two generations, the
 * older dropped whole when the newer fills, and an entry read from the older moved to the
 * newer. No per-entry bookkeeping and no walk to evict (a Map iterator steps over every
 * deleted slot): for answers kept between requests, where losing the least used half now
 * and then costs only their reading again.
 */
export class BoundedMap<K, V> {
  private newer = new Map<K, V>();
  private older = new Map<K, V>();
  private hits = 0;
  private misses = 0;

  constructor(private readonly perGeneration: number) {}

  get(key: K): V | undefined {
    const value = this.newer.get(key) ?? this.older.get(key);
    if (value === undefined) this.misses++;
    else {
      this.hits++;
      if (!this.newer.has(key)) this.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.newer.set(key, value);
    if (this.newer.size >= this.perGeneration) {
      this.older = this.newer;
      this.newer = new Map();
    }
  }

  clear(): void {
    this.newer = new Map();
    this.older = new Map();
  }

  stats(): { hits: number; misses: number; kept: number } {
    return { hits: this.hits, misses: this.misses, kept: this.newer.size + this.older.size };
  }
}
