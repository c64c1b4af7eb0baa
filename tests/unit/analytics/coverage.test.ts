import { describe, expect, it } from 'vitest';

import { coverageOf } from '@/lib/analytics/summary';

// The share of a period that the stored decisions cover, which decides whether the
// overview may compare it with the previous one.

const span = { from: new Date('2024-07-01T00:00:00Z'), to: new Date('2024-07-11T00:00:00Z') };

describe('coverageOf', () => {
  it('is 1 when the data starts before the period, 0 when it starts after or there is none', () => {
    expect(coverageOf(span, new Date('2024-06-01T00:00:00Z'))).toBe(1);
    expect(coverageOf(span, new Date('2024-07-11T00:00:00Z'))).toBe(0);
    expect(coverageOf(span, new Date('2024-08-01T00:00:00Z'))).toBe(0);
    expect(coverageOf(span, null)).toBe(0);
  });

  it('is the share after the first decision when the data starts inside the period', () => {
    expect(coverageOf(span, new Date('2024-07-09T00:00:00Z'))).toBeCloseTo(0.2, 10);
    expect(coverageOf(span, new Date('2024-07-01T00:00:00Z'))).toBe(1);
  });
});
