import { describe, expect, it } from 'vitest';

import { type DayCount, runningLines } from '@/lib/rollups/account-running-monthly';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const c = (iso: string, key: string, blocked: boolean, count: number): DayCount => ({ day: day(iso), key, blocked, count });

describe('runningLines', () => {
  it('gives each month and key the running totals of its days, keys in order', () => {
    const lines = [...runningLines([
      c('2024-02-01', 'b\tCN\topenai\tdirect', false, 2),
      c('2024-02-01', 'a\tUS\topenai\tdirect', true, 1),
      c('2024-02-03', 'b\tCN\topenai\tdirect', true, 4),
      c('2024-02-29', 'b\tCN\topenai\tdirect', false, 1),
      c('2024-03-02', 'b\tCN\topenai\tdirect', false, 5),
    ])];
    const zeros = (n: number) => Array<number>(n).fill(0);
    const feb = (values: number[]) => `{${values.join(',')}}`;
    expect(lines).toEqual([
      `2024-02-01\ta\tUS\topenai\tdirect\t${feb(zeros(29))}\t${feb(Array(29).fill(1))}\n`,
      // 2024 is a leap year: 29 days, the 29th adding one allowed decision.
      `2024-02-01\tb\tCN\topenai\tdirect\t${feb([...Array(28).fill(2), 3])}\t${feb([0, 0, ...Array(27).fill(4)])}\n`,
      `2024-03-01\tb\tCN\topenai\tdirect\t${feb([0, ...Array(30).fill(5)])}\t${feb(zeros(31))}\n`,
    ]);
  });

  it('adds counts of the same day and key, and refuses counts out of day order', () => {
    const [line] = [...runningLines([c('2024-04-30', 'k\tCN\topenai\tdirect', false, 1), c('2024-04-30', 'k\tCN\topenai\tdirect', false, 2)])];
    expect(line!.split('\t')[5]).toBe(`{${[...Array(29).fill(0), 3].join(',')}}`);
    expect(() => [...runningLines([c('2024-05-02', 'k', false, 1), c('2024-04-30', 'k', false, 1)])]).toThrow(/day order/);
  });

  it('yields nothing for no counts', () => {
    expect([...runningLines([])]).toEqual([]);
  });
});
