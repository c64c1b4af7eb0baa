import { describe, expect, it } from 'vitest';

import { dayParts, hasWholeHourOffsets, hasWholeMinuteOffsets, hoursSplitByLocalMidnight, localDayStarts, localHourStart, monthDays, rangeParts, utcMonth } from '@/lib/analytics/range';

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

describe('hoursSplitByLocalMidnight', () => {
  const hours = (tz: string, from: string, to: string) =>
    hoursSplitByLocalMidnight(tz, new Date(from), new Date(to)).map((s) => [s.hour.from.toISOString(), s.hour.to.toISOString(), s.midnight.toISOString().slice(11, 16)]);

  it('finds the UTC hour each local midnight of a +05:30 or +05:45 zone falls inside', () => {
    expect(hours('Asia/Kolkata', '2024-07-01T10:20:00Z', '2024-07-04T00:00:00Z')).toEqual([
      ['2024-07-01T18:00:00.000Z', '2024-07-01T19:00:00.000Z', '18:30'],
      ['2024-07-02T18:00:00.000Z', '2024-07-02T19:00:00.000Z', '18:30'],
      ['2024-07-03T18:00:00.000Z', '2024-07-03T19:00:00.000Z', '18:30'],
    ]);
    expect(hours('Asia/Kathmandu', '2024-07-01T00:00:00Z', '2024-07-02T00:00:00Z')).toEqual([['2024-07-01T18:00:00.000Z', '2024-07-01T19:00:00.000Z', '18:15']]);
  });

  it('leaves out hours that are not whole inside the range, and finds none in whole-hour zones', () => {
    // Midnight in Kolkata at 18:30 UTC: the range starts inside that hour.
    expect(hours('Asia/Kolkata', '2024-07-01T18:10:00Z', '2024-07-02T12:00:00Z')).toEqual([]);
    expect(hours('UTC', '2024-07-01T00:00:00Z', '2024-07-09T00:00:00Z')).toEqual([]);
    expect(hours('Asia/Shanghai', '2024-07-01T00:00:00Z', '2024-07-09T00:00:00Z')).toEqual([]);
  });

  it('follows the offset across a daylight-saving change (St. John\'s, -02:30 then -03:30)', () => {
    expect(hours('America/St_Johns', '2024-11-02T00:00:00Z', '2024-11-05T00:00:00Z')).toEqual([
      ['2024-11-02T02:00:00.000Z', '2024-11-02T03:00:00.000Z', '02:30'],
      ['2024-11-03T02:00:00.000Z', '2024-11-03T03:00:00.000Z', '02:30'],
      ['2024-11-04T03:00:00.000Z', '2024-11-04T04:00:00.000Z', '03:30'],
    ]);
    expect(hasWholeHourOffsets('America/St_Johns', new Date('2024-11-02T00:00:00Z'), new Date('2024-11-05T00:00:00Z'))).toBe(false);
    expect(hasWholeHourOffsets('America/New_York', new Date('2024-11-02T00:00:00Z'), new Date('2024-11-05T00:00:00Z'))).toBe(true);
  });
});


describe('hasWholeMinuteOffsets', () => {
  it("is false only where an offset had seconds (Monrovia's -00:44:30 until 1972)", () => {
    expect(hasWholeMinuteOffsets('Africa/Monrovia', new Date('1971-01-01T00:00:00Z'), new Date('1971-02-01T00:00:00Z'))).toBe(false);
    expect(hasWholeMinuteOffsets('Africa/Monrovia', new Date('2024-01-01T00:00:00Z'), new Date('2024-02-01T00:00:00Z'))).toBe(true);
    expect(hasWholeMinuteOffsets('Asia/Kathmandu', new Date('2024-01-01T00:00:00Z'), new Date('2024-04-01T00:00:00Z'))).toBe(true);
  });
});

describe('localDayStarts', () => {
  const starts = (tz: string, from: string, to: string) => {
    const r = localDayStarts(tz, new Date(from), new Date(to));
    return { starts: r.starts.map((d) => d.toISOString()), missed: r.missed.map((t) => new Date(t).toISOString()) };
  };

  it('finds each local midnight, across a daylight-saving change', () => {
    expect(starts('America/New_York', '2024-11-02T00:00:00Z', '2024-11-05T00:00:00Z')).toEqual({
      starts: ['2024-11-02T04:00:00.000Z', '2024-11-03T04:00:00.000Z', '2024-11-04T05:00:00.000Z'], missed: [],
    });
    expect(starts('Asia/Shanghai', '2024-07-01T00:00:00Z', '2024-07-03T00:00:00Z').starts).toEqual(['2024-07-01T16:00:00.000Z', '2024-07-02T16:00:00.000Z']);
  });

  it('reports the UTC day of a local date whose clocks skip midnight (Santiago, 2024-09-08 starts at 01:00)', () => {
    expect(starts('America/Santiago', '2024-09-06T00:00:00Z', '2024-09-10T00:00:00Z')).toEqual({
      starts: ['2024-09-06T04:00:00.000Z', '2024-09-07T04:00:00.000Z', '2024-09-09T03:00:00.000Z'], missed: ['2024-09-08T00:00:00.000Z'],
    });
  });
});

describe('localHourStart', () => {
  const at = (iso: string) => Date.parse(iso);

  it('gives the local hour a quarter falls in, as a UTC instant', () => {
    const kolkata = localHourStart('Asia/Kolkata');
    // 00:00Z is 05:30 in Kolkata: the hour from 05:00 local, 23:30Z the day before.
    expect(kolkata(at('2026-03-10T00:00:00Z'))).toBe(at('2026-03-09T23:30:00Z'));
    expect(kolkata(at('2026-03-10T00:15:00Z'))).toBe(at('2026-03-09T23:30:00Z'));
    expect(kolkata(at('2026-03-10T00:30:00Z'))).toBe(at('2026-03-10T00:30:00Z'));
    expect(localHourStart('Asia/Kathmandu')(at('2026-03-10T00:15:00Z'))).toBe(at('2026-03-10T00:15:00Z'));
    expect(localHourStart('UTC')(at('2026-03-10T07:45:00Z'))).toBe(at('2026-03-10T07:00:00Z'));
  });

  it('leaves the quarters within hours of an offset change unplaced, and places those farther off', () => {
    const newYork = localHourStart('America/New_York');
    // Clocks go back at 06:00Z on 2024-11-03: local 01:00-02:00 comes twice. Offsets are
    // sampled every 12 hours, so the quarters left to SQL reach from 20:00Z the day before
    // to 15:00Z.
    expect(newYork(at('2024-11-03T05:30:00Z'))).toBeNull();
    expect(newYork(at('2024-11-03T06:15:00Z'))).toBeNull();
    expect(newYork(at('2024-11-02T19:45:00Z'))).toBe(at('2024-11-02T19:00:00Z'));
    expect(newYork(at('2024-11-03T15:15:00Z'))).toBe(at('2024-11-03T15:00:00Z'));
    // Lord Howe moves half an hour (+10:30 -> +11:00) at 15:30Z on 2024-10-05.
    const lordHowe = localHourStart('Australia/Lord_Howe');
    expect(lordHowe(at('2024-10-05T15:30:00Z'))).toBeNull();
    expect(lordHowe(at('2024-10-05T07:45:00Z'))).toBe(at('2024-10-05T07:30:00Z'));
    expect(lordHowe(at('2024-10-06T03:15:00Z'))).toBe(at('2024-10-06T03:00:00Z'));
  });
});
