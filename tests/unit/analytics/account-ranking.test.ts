import { describe, expect, it } from 'vitest';

import { COUNT_SORTS, type CountSort, nthSmallest, rangeMembers, rankingCandidates } from '@/lib/analytics/account-ranking';
import type { VectorTotals } from '@/lib/rollups/account-running-vectors';
import { seededRandom } from '@/lib/demo/random';

// rankingCandidates prunes accounts by bounds; whatever the edge days turn out to hold,
// every account that ranks among the first K by its exact key must survive the pruning.

function randomTotals(random: () => number, n: number): VectorTotals {
  const t: VectorTotals = { allowed: new Float64Array(n), blocked: new Float64Array(n), edgeAllowed: new Float64Array(n), edgeBlocked: new Float64Array(n) };
  const pick = (max: number) => Math.floor(random() ** 3 * max);
  for (let i = 0; i < n; i++) {
    // A fifth of the ordinals have nothing on whole days, some of them nothing at all.
    const whole = random() > 0.2;
    t.allowed[i] = whole ? pick(200) : 0;
    t.blocked[i] = whole ? pick(80) : 0;
    t.edgeAllowed[i] = pick(20);
    t.edgeBlocked[i] = pick(10);
  }
  return t;
}

const keyOf = (column: CountSort, a: number, b: number) =>
  column === 'total' ? a + b : column === 'allowed' ? a : column === 'blocked' ? b : b / (a + b);

describe('rankingCandidates', () => {
  it.each(COUNT_SORTS.flatMap((column, c) => [true, false].map((desc) => ({ column, desc, seed: c * 2 + (desc ? 1 : 0) + 1 }))))(
    'keeps every account that can rank among the first K, by $column (desc: $desc)',
    ({ column, desc, seed }) => {
      const random = seededRandom(seed * 31);
      const totals = randomTotals(random, 2000);
      for (const k of [1, 50, 300]) {
        const c = rankingCandidates(totals, { column, desc, k, allowed: true, blocked: true, only: null });
        const kept = new Set(c.ordinals);
        expect(c.sure).toBe(totals.allowed.filter((a, i) => a + totals.blocked[i]! > 0).length);
        // Pruning happens, or this test would prove nothing.
        expect(kept.size).toBeLessThan(1000);
        for (let trial = 0; trial < 20; trial++) {
          // One possible truth: each account's edge decisions partly in range.
          const exact = Array.from({ length: 2000 }, (_, i) => {
            const a = totals.allowed[i]! + Math.round(random() * totals.edgeAllowed[i]!);
            const b = totals.blocked[i]! + Math.round(random() * totals.edgeBlocked[i]!);
            return { i, a, b };
          }).filter((x) => x.a + x.b > 0);
          const keys = exact.map((x) => keyOf(column, x.a, x.b)).sort((x, y) => (desc ? y - x : x - y));
          const kth = keys[Math.min(k, keys.length) - 1]!;
          for (const x of exact) {
            const key = keyOf(column, x.a, x.b);
            if (desc ? key >= kth : key <= kth) expect(kept.has(x.i), `ordinal ${x.i} (key ${key}, K-th ${kth})`).toBe(true);
          }
        }
        // Candidates carry their whole days' counts.
        for (const [j, i] of c.ordinals.entries()) {
          expect([c.allowed[j], c.blocked[j]]).toEqual([totals.allowed[i], totals.blocked[i]]);
        }
      }
    },
  );

  it('returns arrays of its own: a later call, larger or smaller, changes neither them nor its own answer', () => {
    const small = randomTotals(seededRandom(3), 400);
    const large = randomTotals(seededRandom(5), 3000);
    const q = { column: 'blocked' as const, desc: true, k: 50, allowed: true, blocked: true, only: null };
    const copy = (c: ReturnType<typeof rankingCandidates>) => ({
      ordinals: [...c.ordinals], allowed: [...c.allowed], blocked: [...c.blocked], sure: c.sure,
      tied: { candidates: [...c.tied.candidates], exact: [...c.tied.exact] },
    });
    const other = copy(rankingCandidates(large, { ...q, column: 'total', desc: false }));
    const first = rankingCandidates(small, q);
    const before = copy(first);
    rankingCandidates(large, { ...q, column: 'total', desc: false });
    expect(copy(first)).toEqual(before);
    // Scratch left by the larger call (and a filter that reads the zeros) changes no answer.
    rankingCandidates(large, { ...q, allowed: false });
    expect(copy(rankingCandidates(small, q))).toEqual(before);
    expect(copy(rankingCandidates(large, { ...q, column: 'total', desc: false }))).toEqual(other);
  });

  it('leaves out what the search and the decision filter leave out', () => {
    const totals = randomTotals(seededRandom(7), 500);
    const kept = [3, 4, 5, 100, 101, 499];
    const only = new Uint8Array(500);
    for (const i of kept) only[i] = 1;
    const c = rankingCandidates(totals, { column: 'total', desc: true, k: 1000, allowed: false, blocked: true, only });
    const expected = kept.filter((i) => totals.blocked[i]! + totals.edgeBlocked[i]! > 0).sort((a, b) => a - b);
    expect([...c.ordinals]).toEqual(expected);
    expect(c.allowed.every((a) => a === 0)).toBe(true);
    expect(c.sure).toBe(kept.filter((i) => totals.blocked[i]! > 0).length);
  });

  it('marks the accounts with whole-day decisions in a bitmap and lists those seen on edge days alone', () => {
    const totals = randomTotals(seededRandom(11), 300);
    const only = new Uint8Array(300).fill(1);
    only[7] = 0;
    const m = rangeMembers(totals, { allowed: true, blocked: false, only });
    const bit = (i: number) => (m.sure[i >>> 3]! >> (i & 7)) & 1;
    for (let i = 0; i < 300; i++) {
      const kept = i !== 7;
      expect(bit(i), `ordinal ${i}`).toBe(kept && totals.allowed[i]! > 0 ? 1 : 0);
      expect(m.edgeOnly.includes(i), `ordinal ${i}`).toBe(kept && totals.allowed[i] === 0 && totals.edgeAllowed[i]! > 0);
    }
    expect(m.sureCount).toBe(Array.from({ length: 300 }, (_, i) => bit(i)).reduce((a, b) => a + b, 0));
    expect(m.size).toBe(m.sure.length * 8);
  });
});

describe('nthSmallest', () => {
  it.each([
    { name: 'distinct values', n: 1000, spread: 1e9 },
    { name: 'mostly ties, as on the bench data', n: 5000, spread: 3 },
    { name: 'all equal', n: 777, spread: 1 },
    { name: 'one value', n: 1, spread: 10 },
  ])('finds the value sorting puts at each index ($name)', ({ n, spread }) => {
    const random = seededRandom(n + spread);
    const values = Float64Array.from({ length: n }, () => Math.floor(random() * spread) / (spread > 3 ? 7 : 1));
    const sorted = [...values].sort((a, b) => a - b);
    for (const index of new Set([0, n - 1, Math.floor(n / 2), Math.floor(random() * n), Math.min(n - 1, 49)])) {
      expect(nthSmallest(Float64Array.from(values), index)).toBe(sorted[index]);
    }
  });

  it('refuses an index outside the values', () => {
    expect(() => nthSmallest(new Float64Array(3), 3)).toThrow(RangeError);
    expect(() => nthSmallest(new Float64Array(0), 0)).toThrow(RangeError);
  });
});
