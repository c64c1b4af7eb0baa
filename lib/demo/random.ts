// A small seeded PRNG (mulberry32): demo data is reproducible for a given --seed.
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** Picks from [item, weight] pairs. */
export function weighted<T>(random: Random, table: ReadonlyArray<readonly [T, number]>): T {
  return sampler(table)(random);
}

/**
 * A weighted picker over a fixed table: cumulative weights and a binary search, so
 * picking among thousands of accounts costs a few comparisons.
 */
export function sampler<T>(table: ReadonlyArray<readonly [T, number]>): (random: Random) => T {
  const items = table.map(([item]) => item);
  const cumulative = new Float64Array(table.length);
  let total = 0;
  table.forEach(([, w], i) => {
    total += w;
    cumulative[i] = total;
  });
  return (random) => {
    const r = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return items[lo]!;
  };
}
