import { describe, expect, it } from 'vitest';

import { byKey, VectorRowCache } from '@/lib/rollups/vector-row-cache';

// The cache of vector rows: a read's counts come from it only where the read named the
// same version as held; it keeps at most its byte budget, least recently used out first,
// and nothing past its age.

const bytes = (n: number, fill = 1) => Buffer.from(new Uint8Array(n).fill(fill)).toString('base64');

describe('VectorRowCache', () => {
  it('returns the held counts for a row sent without them, and decodes and keeps the others', () => {
    const cache = new VectorRowCache<{ hour: number }>(1_000);
    const first = cache.counts('a', { hour: 1 }, { version: '10', counts: bytes(4, 7) }, new Map());
    expect([...first]).toEqual([7, 7, 7, 7]);
    const held = byKey(cache.held(() => true));
    expect([...held.keys()]).toEqual(['a']);
    expect(cache.counts('a', { hour: 1 }, { version: '10', counts: null }, held)).toBe(first);
    expect(cache.stats()).toEqual({ hits: 1, misses: 1, bytes: 4, rows: 1 });
  });

  it('refuses a row sent without counts at a version it did not name', () => {
    const cache = new VectorRowCache<{ hour: number }>(1_000);
    cache.counts('a', { hour: 1 }, { version: '10', counts: bytes(4) }, new Map());
    const held = byKey(cache.held(() => true));
    expect(() => cache.counts('a', { hour: 1 }, { version: '11', counts: null }, held)).toThrow(/version 11 was not held/);
    expect(() => cache.counts('b', { hour: 2 }, { version: '10', counts: null }, held)).toThrow(/vector row b/);
  });

  it('replaces a row read at a new version', () => {
    const cache = new VectorRowCache<{ hour: number }>(1_000);
    cache.counts('a', { hour: 1 }, { version: '10', counts: bytes(4, 1) }, new Map());
    const newer = cache.counts('a', { hour: 1 }, { version: '12', counts: bytes(6, 2) }, new Map());
    expect([...newer]).toEqual([2, 2, 2, 2, 2, 2]);
    expect(cache.held(() => true).map((r) => r.version)).toEqual(['12']);
    expect(cache.stats()).toMatchObject({ bytes: 6, rows: 1 });
  });

  it('names only the rows a read wants', () => {
    const cache = new VectorRowCache<{ hour: number }>(1_000);
    for (const hour of [1, 2, 3]) cache.counts(`h${hour}`, { hour }, { version: '5', counts: bytes(2) }, new Map());
    expect(cache.held((p) => p.hour !== 2).map((r) => r.key)).toEqual(['h1', 'h3']);
  });

  it('evicts the least recently used rows past its byte budget', () => {
    const cache = new VectorRowCache<{ hour: number }>(10);
    cache.counts('a', { hour: 1 }, { version: '1', counts: bytes(4) }, new Map());
    cache.counts('b', { hour: 2 }, { version: '1', counts: bytes(4) }, new Map());
    // A hit on a makes b the least recently used.
    cache.counts('a', { hour: 1 }, { version: '1', counts: null }, byKey(cache.held(() => true)));
    cache.counts('c', { hour: 3 }, { version: '1', counts: bytes(4) }, new Map());
    expect(cache.held(() => true).map((r) => r.key).sort()).toEqual(['a', 'c']);
    expect(cache.stats()).toMatchObject({ bytes: 8, rows: 2 });
  });

  it('counts its bytes exactly when a read uses a version another read has replaced meanwhile', () => {
    const cache = new VectorRowCache<{ hour: number }>(1_000);
    cache.counts('a', { hour: 1 }, { version: '1', counts: bytes(4) }, new Map());
    // One request names version 1 as held; before its rows arrive, another reads version 2.
    const held = byKey(cache.held(() => true));
    cache.counts('a', { hour: 1 }, { version: '2', counts: bytes(6) }, new Map());
    expect([...cache.counts('a', { hour: 1 }, { version: '1', counts: null }, held)]).toEqual([1, 1, 1, 1]);
    const rows = cache.held(() => true);
    expect(rows).toHaveLength(1);
    expect(cache.stats()).toMatchObject({ rows: 1, bytes: rows[0]!.counts.length });
  });

  it('forgets rows read longer ago than its age limit', () => {
    let now = 0;
    const cache = new VectorRowCache<{ hour: number }>(1_000, 100, () => now);
    cache.counts('a', { hour: 1 }, { version: '1', counts: bytes(4) }, new Map());
    now = 50;
    cache.counts('b', { hour: 2 }, { version: '1', counts: bytes(4) }, new Map());
    now = 120;
    expect(cache.held(() => true).map((r) => r.key)).toEqual(['b']);
    expect(cache.stats()).toMatchObject({ bytes: 4, rows: 1 });
  });
});
