import { describe, expect, it } from 'vitest';

import { sampler, seededRandom } from '@/lib/demo/random';

describe('demo randomness', () => {
  it('is reproducible for a seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });

  it('picks in proportion to the weights', () => {
    const pick = sampler([['a', 1], ['b', 3], ['never', 0]] as const);
    const random = seededRandom(1);
    const counts = { a: 0, b: 0, never: 0 };
    for (let i = 0; i < 40_000; i += 1) counts[pick(random)] += 1;
    expect(counts.never).toBe(0);
    expect(counts.b / counts.a).toBeGreaterThan(2.8);
    expect(counts.b / counts.a).toBeLessThan(3.2);
  });
});
