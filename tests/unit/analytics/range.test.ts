import { describe, expect, it } from 'vitest';

import { dayParts, monthDays, rangeParts, utcMonth } from '@/lib/analytics/range';

const d = (iso: string) => new Date(iso);
const spans = (xs: { from: Date; to: Date }[]) => xs.map((s) => [s.from.toISOString(), s.to.toISOString()]);

describe('rangeParts', () => {
  it('splits a range into raw minutes, whole hours and whole UTC days', () => {
    const parts = rangeParts(d('2024-06-03T05:17:31Z'), d('2024-06-05T02:30:00Z'));
    expect(spans(parts.raw)).toEqual([
      ['2024-06-03T05:17:31.000Z', '2024-06-03T06:00:00.000Z'],
      ['2024-06-05T02:00:00.000Z', '2024-06-05T02:30:00.000Z'],
    ]);
    expect(spans(parts.hourly)).toEqual([
      ['2024-06-03T06:00:00.000Z', '2024-06-04T00:00:00.000Z'],
      ['2024-06-05T00:00:00.000Z', '2024-06-05T02:00:00.000Z'],
    ]);
    expect(spans(parts.daily)).toEqual([['2024-06-04T00:00:00.000Z', '2024-06-05T00:00:00.000Z']]);
  });

  it('keeps whole days in hours when asked, and a range inside one hour raw', () => {
    expect(rangeParts(d('2024-06-03T00:00:00Z'), d('2024-06-05T00:00:00Z'), false).daily).toEqual([]);
    const inside = rangeParts(d('2024-06-03T10:05:00Z'), d('2024-06-03T10:55:00Z'));
    expect(spans(inside.raw)).toEqual([['2024-06-03T10:05:00.000Z', '2024-06-03T10:55:00.000Z']]);
    expect(inside.hourly).toEqual([]);
  });
});

describe('dayParts', () => {
  it('leaves only the partial edge days raw', () => {
    const parts = dayParts(d('2024-06-03T05:00:00Z'), d('2024-06-06T01:00:00Z'));
    expect(spans(parts.daily)).toEqual([['2024-06-04T00:00:00.000Z', '2024-06-06T00:00:00.000Z']]);
    expect(spans(parts.raw)).toEqual([
      ['2024-06-03T05:00:00.000Z', '2024-06-04T00:00:00.000Z'],
      ['2024-06-06T00:00:00.000Z', '2024-06-06T01:00:00.000Z'],
    ]);
  });
});

describe('monthDays', () => {
  it('gives each month touched its whole days and its touched days', () => {
    expect(monthDays(d('2024-01-30T05:00:00Z'), d('2024-03-02T12:00:00Z'))).toEqual([
      { month: '2024-01-01', whole: [31, 31], touched: [30, 31] },
      // 2024 is a leap year.
      { month: '2024-02-01', whole: [1, 29], touched: [1, 29] },
      { month: '2024-03-01', whole: [1, 1], touched: [1, 2] },
    ]);
  });

  it('marks a month with no whole day [1, 0]', () => {
    expect(monthDays(d('2024-06-30T20:00:00Z'), d('2024-07-01T06:00:00Z'))).toEqual([
      { month: '2024-06-01', whole: [1, 0], touched: [30, 30] },
      { month: '2024-07-01', whole: [1, 0], touched: [1, 1] },
    ]);
    expect(monthDays(d('2024-06-10T01:00:00Z'), d('2024-06-10T02:00:00Z'))).toEqual([
      { month: '2024-06-01', whole: [1, 0], touched: [10, 10] },
    ]);
  });

  it('touches no extra day when the range is aligned to days', () => {
    expect(monthDays(d('2024-06-01T00:00:00Z'), d('2024-07-01T00:00:00Z'))).toEqual([
      { month: '2024-06-01', whole: [1, 30], touched: [1, 30] },
    ]);
    expect(monthDays(d('2024-06-05T00:00:00Z'), d('2024-06-05T00:00:00Z'))).toEqual([]);
  });
});

describe('utcMonth', () => {
  const dayOf = (iso: string) => Date.parse(iso) / 86_400_000;
  it('finds the month of a day, across a leap February and a year end', () => {
    expect(utcMonth(dayOf('2024-02-29'))).toEqual({ first: dayOf('2024-02-01'), next: dayOf('2024-03-01'), text: '2024-02-01' });
    expect(utcMonth(dayOf('2024-12-31'))).toEqual({ first: dayOf('2024-12-01'), next: dayOf('2025-01-01'), text: '2024-12-01' });
    expect(utcMonth(dayOf('2025-01-01'))).toEqual({ first: dayOf('2025-01-01'), next: dayOf('2025-02-01'), text: '2025-01-01' });
  });
});
