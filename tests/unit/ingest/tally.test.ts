import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { distinctKeys, SortedCounts } from '../../../lib/ingest/tally';

function contents(counts: SortedCounts): Array<[number, number]> {
  // Exactly `length` entries: no spare room after the last key.
  expect(counts.keys.length).toBe(counts.counts.length);
  return Array.from(counts.keys, (key, i) => [key, counts.counts[i]!]);
}

function committed(...segments: number[][]): SortedCounts {
  const counts = new SortedCounts();
  for (const keys of segments) {
    for (const key of keys) counts.add(key);
    counts.commit();
  }
  return counts;
}

describe('distinctKeys', () => {
  it.each([
    [[], [], 0],
    [[1, 2, 3], [], 3],
    [[], [5, 5, 5], 1],
    [[1, 3, 5], [1, 3, 5], 3],
    [[1, 3, 5], [0, 2, 2, 4, 6, 6], 7],
    [[2], [1, 1, 2, 2, 3, 3], 3],
  ])('%j and %j hold %i different keys', (a, b, expected) => {
    expect(distinctKeys(Float64Array.from(a), Float64Array.from(b))).toBe(expected);
  });
});

describe('SortedCounts', () => {
  it('counts the keys of a segment, repeated ones once with their count', () => {
    expect(contents(committed([7, 3, 7, 7, 0, 3]))).toEqual([[0, 1], [3, 2], [7, 3]]);
  });

  it('adds a segment to the keys it shares with earlier ones and inserts the others in order', () => {
    expect(contents(committed([10, 20, 30], [5, 20, 20, 35, 10]))).toEqual([[5, 1], [10, 2], [20, 3], [30, 1], [35, 1]]);
  });

  it('keeps its counts when a segment is empty or every key collides', () => {
    const counts = committed([1, 2], []);
    expect(contents(counts)).toEqual([[1, 1], [2, 1]]);
    counts.add(2);
    counts.add(1);
    counts.commit();
    expect(contents(counts)).toEqual([[1, 2], [2, 2]]);
  });

  it('starts from nothing and from a cleared state', () => {
    const counts = new SortedCounts();
    counts.commit();
    expect(contents(counts)).toEqual([]);
    counts.add(4);
    counts.commit();
    counts.clear();
    counts.commit();
    expect(contents(counts)).toEqual([]);
  });

  it('forgets a rolled-back segment, and changes nothing before a prepared commit is applied', () => {
    const counts = committed([1]);
    counts.add(2);
    counts.rollback();
    counts.commit();
    expect(contents(counts)).toEqual([[1, 1]]);
    counts.add(1);
    counts.add(3);
    const apply = counts.prepare();
    expect(contents(counts)).toEqual([[1, 1]]);
    apply();
    expect(contents(counts)).toEqual([[1, 2], [3, 1]]);
  });

  it('adds counts in any order, keys repeated among them or shared with the tally', () => {
    const counts = committed([2, 4]);
    counts.addCounts([9, 4, 1, 9], [5, 10, 1, 2]);
    expect(contents(counts)).toEqual([[1, 1], [2, 1], [4, 11], [9, 7]]);
  });

  it('agrees with a map of counts through any mix of segments, rollbacks and added counts', () => {
    const key = fc.integer({ min: 0, max: 40 });
    const step = fc.oneof(
      fc.record({ kind: fc.constant('commit' as const), keys: fc.array(key, { maxLength: 30 }) }),
      fc.record({ kind: fc.constant('rollback' as const), keys: fc.array(key, { maxLength: 30 }) }),
      fc.record({ kind: fc.constant('counts' as const), keys: fc.array(key, { maxLength: 10 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        const counts = new SortedCounts();
        const expected = new Map<number, number>();
        for (const { kind, keys } of steps) {
          if (kind === 'counts') {
            counts.addCounts(keys, keys.map((k) => k + 1));
            for (const k of keys) expected.set(k, (expected.get(k) ?? 0) + k + 1);
            continue;
          }
          for (const k of keys) counts.add(k);
          if (kind === 'rollback') {
            counts.rollback();
            continue;
          }
          counts.commit();
          for (const k of keys) expected.set(k, (expected.get(k) ?? 0) + 1);
        }
        expect(contents(counts)).toEqual([...expected].sort(([a], [b]) => a - b));
      }),
    );
  });
});
