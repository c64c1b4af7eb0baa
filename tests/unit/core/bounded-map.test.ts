import { describe, expect, it } from 'vitest';

import { BoundedMap } from '@/lib/bounded-map';

describe('BoundedMap', () => {
  it('keeps at most two generations, and an entry read from the older one survives the next turn', () => {
    const map = new BoundedMap<string, number>(3);
    for (const [i, key] of ['a', 'b', 'c'].entries()) map.set(key, i);
    // The newer generation filled: a, b, c are now the older one.
    expect(map.stats().kept).toBe(3);
    expect(map.get('a')).toBe(0); // moved to the newer generation
    map.set('d', 3);
    map.set('e', 4); // the newer fills (a, d, e) and turns: b and c are dropped
    expect(map.get('b')).toBeUndefined();
    expect(map.get('c')).toBeUndefined();
    expect([map.get('a'), map.get('d'), map.get('e')]).toEqual([0, 3, 4]);
    expect(map.stats()).toMatchObject({ hits: 4, misses: 2, kept: 3 });
  });

  it('forgets everything when cleared', () => {
    const map = new BoundedMap<number, string>(10);
    map.set(1, 'one');
    map.clear();
    expect(map.get(1)).toBeUndefined();
    expect(map.stats().kept).toBe(0);
  });
});
