// Vector rows (the running, hourly, account route and violation vectors) as this process
// last read them, by row version: the accounts list and the headline read the same few dozen rows of
// up to 80 KB for every request of a preset (4.5 MB at 90 days on 10M decisions), and
// nearly all of them change only when a batch rewrites them. A read names the versions it
// holds, and PostgreSQL sends the counts of the other rows only.
//
// A row's version is its xmin: the transaction that wrote that version. Writers rewrite a
// row whole (UPDATE or INSERT, never in place), so a different content has a different
// xmin; VACUUM FULL and CLUSTER keep xmin with the content. The versions come in the same
// statement, and so the same snapshot, as the rows they stand for: a cached entry is used
// exactly where the database would have sent those bytes. Transaction ids are unique in a
// cluster until they wrap (2^32 of them); entries are dropped after an hour, far sooner,
// and a process talks to one cluster (DATABASE_URL).

/** A cached row: what identifies it in its table, the version read, and its counts. */
export interface CachedRow<K> {
  key: string;
  parts: K;
  version: string;
  counts: Uint8Array;
  readAt: number;
}

/** A row as a read returns it: its counts as base64, or null where the read named its version as held. */
export interface VersionedRow {
  version: string;
  counts: string | null;
}

export interface CacheStats {
  hits: number;
  misses: number;
  bytes: number;
  rows: number;
}

const HOUR_MS = 3_600_000;

/**
 * Rows by key, least recently used first (a Map keeps insertion order; a hit re-inserts),
 * evicted past `maxBytes` of counts or `maxAgeMs` after they were read.
 */
export class VectorRowCache<K> {
  private readonly rows = new Map<string, CachedRow<K>>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly maxAgeMs = HOUR_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The fresh rows that `wanted` accepts: the versions a read names as held. */
  held(wanted: (parts: K) => boolean): CachedRow<K>[] {
    const oldest = this.now() - this.maxAgeMs;
    const out: CachedRow<K>[] = [];
    for (const row of this.rows.values()) {
      if (row.readAt < oldest) this.drop(row.key);
      else if (wanted(row.parts)) out.push(row);
    }
    return out;
  }

  /**
   * A read row's counts: from `held` (the rows the read named, looked up there rather than
   * in the cache, which another request may have changed meanwhile) where it sent none,
   * else decoded and cached.
   */
  counts(key: string, parts: K, row: VersionedRow, held: ReadonlyMap<string, CachedRow<K>>): Uint8Array {
    if (row.counts === null) {
      const known = held.get(key);
      if (!known || known.version !== row.version) throw new Error(`vector row ${key}: version ${row.version} was not held`);
      this.hits++;
      this.touch(known);
      return known.counts;
    }
    this.misses++;
    // A copy of its own: small decodes share Node's 8 KB pool, which a cached view would keep.
    const counts = new Uint8Array(Buffer.from(row.counts, 'base64'));
    this.touch({ key, parts, version: row.version, counts, readAt: this.now() });
    return counts;
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, bytes: this.bytes, rows: this.rows.size };
  }

  clear(): void {
    this.rows.clear();
    this.bytes = 0;
  }

  /** Makes `row` the key's entry, most recently used: another entry of the key (another version) goes. */
  private touch(row: CachedRow<K>): void {
    if (this.rows.get(row.key) === row) this.rows.delete(row.key);
    else {
      this.drop(row.key);
      this.bytes += row.counts.length;
    }
    this.rows.set(row.key, row);
    // Checked before iterating: a Map's iterator starts by stepping over the slots of every
    // entry deleted since it was last compacted (a hit deletes and re-inserts), so starting
    // one for each of 2,000 hits cost ~10 ms.
    if (this.bytes <= this.maxBytes) return;
    for (const [key] of this.rows) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(key);
    }
  }

  private drop(key: string): void {
    const row = this.rows.get(key);
    if (!row) return;
    this.rows.delete(key);
    this.bytes -= row.counts.length;
  }
}

/** The held rows by key, as `counts` looks them up. */
export const byKey = <K>(rows: CachedRow<K>[]): Map<string, CachedRow<K>> => new Map(rows.map((r) => [r.key, r]));

/** A process-wide cache: kept on globalThis, so that every bundle of the server (and dev-mode reloads) shares one. */
export function processCache<K>(name: string, maxBytes: number): VectorRowCache<K> {
  const registry = ((globalThis as { gatewatchVectorCaches?: Map<string, unknown> }).gatewatchVectorCaches ??= new Map());
  let cache = registry.get(name) as VectorRowCache<K> | undefined;
  if (!cache) registry.set(name, (cache = new VectorRowCache<K>(maxBytes)));
  return cache;
}
