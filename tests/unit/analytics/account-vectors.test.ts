import { describe, expect, it } from 'vitest';

import { subtractCounts, type VectorTotals } from '@/lib/analytics/account-vectors';

const totals = (n: number): VectorTotals => ({
  allowed: new Float64Array(n).fill(10), blocked: new Float64Array(n).fill(5),
  edgeAllowed: new Float64Array(n).fill(2), edgeBlocked: new Float64Array(n).fill(1),
});

describe('subtractCounts', () => {
  it('takes whole days from the totals and edge days (touched less whole) from the edges', () => {
    const t = totals(4);
    subtractCounts(t, [{ ordinal: 2, allowed: 3, blocked: 1, touched_allowed: 4, touched_blocked: 2 }]);
    expect([t.allowed[2], t.blocked[2], t.edgeAllowed[2], t.edgeBlocked[2]]).toEqual([7, 4, 1, 0]);
    expect([t.allowed[1], t.blocked[1], t.edgeAllowed[1], t.edgeBlocked[1]]).toEqual([10, 5, 2, 1]);
  });

  it('skips an account beyond the vectors read when it has nothing to take out, and refuses one that has', () => {
    const t = totals(4);
    subtractCounts(t, [{ ordinal: 9000, allowed: 0, blocked: 0, touched_allowed: 0, touched_blocked: 0 }]);
    expect(() => subtractCounts(t, [{ ordinal: 9000, allowed: 0, blocked: 0, touched_allowed: 1, touched_blocked: 0 }]))
      .toThrow(/no row for ordinal 9000/);
  });
});
