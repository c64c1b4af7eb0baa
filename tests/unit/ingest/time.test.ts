import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIso, parseOccurredAt } from '../../../lib/ingest/time';

function iso(raw: string): string {
  const parsed = parseOccurredAt(raw);
  if (!parsed.ok) throw new Error(`expected ${raw} to parse: ${parsed.error}`);
  return parsed.iso;
}

function error(raw: string): string {
  const parsed = parseOccurredAt(raw);
  if (parsed.ok) throw new Error(`expected ${raw} to be rejected, got ${parsed.iso}`);
  return parsed.error;
}

describe('occurred_at: accepted forms', () => {
  it.each([
    ['2024-07-09T08:15:02Z', '2024-07-09T08:15:02.000Z'],
    ['2024-07-09T16:15:02.250+08:00', '2024-07-09T08:15:02.250Z'],
    ['2024-07-09 08:15:02Z', '2024-07-09T08:15:02.000Z'],
    ['2024-07-09 08:15:02', '2024-07-09T08:15:02.000Z'], // no offset = UTC
    ['2024-07-09T08:15:02', '2024-07-09T08:15:02.000Z'],
    ['2024-07-09T03:15:02-05:00', '2024-07-09T08:15:02.000Z'],
    ['2024-07-09T08:15:02+00:00', '2024-07-09T08:15:02.000Z'],
    ['2024-07-09T08:15:02-00:00', '2024-07-09T08:15:02.000Z'],
    ['2024-07-09T13:45:02+05:30', '2024-07-09T08:15:02.000Z'],
    ['2024-07-09t08:15:02z', '2024-07-09T08:15:02.000Z'], // RFC 3339 allows lower case
    ['  2024-07-09T08:15:02Z  ', '2024-07-09T08:15:02.000Z'],
  ])('%j -> %s', (raw, expected) => {
    expect(iso(raw)).toBe(expected);
  });

  it.each([
    ['2024-07-09T08:15:02.5Z', '2024-07-09T08:15:02.500Z'],
    ['2024-07-09T08:15:02.25Z', '2024-07-09T08:15:02.250Z'],
    ['2024-07-09T08:15:02.250Z', '2024-07-09T08:15:02.250Z'],
    ['2024-07-09T08:15:02.000Z', '2024-07-09T08:15:02.000Z'],
    ['2024-07-09T08:15:02.1234Z', '2024-07-09T08:15:02.123400Z'],
    ['2024-07-09T08:15:02.123456Z', '2024-07-09T08:15:02.123456Z'],
    ['2024-07-09T08:15:02.000001Z', '2024-07-09T08:15:02.000001Z'],
    ['2024-07-09T08:15:02.1234567891Z', '2024-07-09T08:15:02.123456Z'], // truncated, not rounded
    ['2024-07-09T08:15:02.9999999Z', '2024-07-09T08:15:02.999999Z'],
    ['2024-07-09 16:15:02.123456+08:00', '2024-07-09T08:15:02.123456Z'],
  ])('keeps fractions to the microsecond: %s -> %s', (raw, expected) => {
    expect(iso(raw)).toBe(expected);
  });

  it('offsets can cross midnight, month, year and leap-day boundaries', () => {
    expect(iso('2024-01-01T01:00:00+02:00')).toBe('2023-12-31T23:00:00.000Z');
    expect(iso('2024-02-29T23:30:00-01:00')).toBe('2024-03-01T00:30:00.000Z');
    expect(iso('2024-03-01T00:30:00+01:00')).toBe('2024-02-29T23:30:00.000Z');
  });

  it('reads 10 digits as Unix seconds and 13 digits as Unix milliseconds', () => {
    expect(iso('1720512902')).toBe('2024-07-09T08:15:02.000Z');
    expect(iso('1720512902250')).toBe('2024-07-09T08:15:02.250Z');
    expect(parseOccurredAt('1720512902250')).toEqual({ ok: true, iso: '2024-07-09T08:15:02.250Z', epochMs: 1720512902250 });
    expect(iso('0946684800')).toBe('2000-01-01T00:00:00.000Z'); // leading zero: still 10 digits
  });

  it('returns epoch milliseconds matching the ISO string', () => {
    const parsed = parseOccurredAt('2024-07-09T16:15:02.250987+08:00');
    expect(parsed).toEqual({ ok: true, iso: '2024-07-09T08:15:02.250987Z', epochMs: Date.parse('2024-07-09T08:15:02.250Z') });
  });

  it('accepts leap days only in leap years', () => {
    expect(iso('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(iso('2000-02-29T00:00:00Z')).toBe('2000-02-29T00:00:00.000Z'); // divisible by 400
    expect(error('2023-02-29T00:00:00Z')).toMatch(/not a real calendar date/);
    expect(error('2100-02-29T00:00:00Z')).toMatch(/not a real calendar date/); // divisible by 100
  });
});

describe('occurred_at: bounds', () => {
  it('accepts both bounds themselves', () => {
    expect(iso('2000-01-01T00:00:00Z')).toBe('2000-01-01T00:00:00.000Z');
    expect(iso('2100-01-01T00:00:00Z')).toBe('2100-01-01T00:00:00.000Z');
    expect(iso('2100-01-01T00:00:00.000000Z')).toBe('2100-01-01T00:00:00.000Z');
    expect(iso('2000-01-01T08:00:00+08:00')).toBe('2000-01-01T00:00:00.000Z');
  });

  it.each([
    '1999-12-31T23:59:59Z',
    '1999-12-31T23:59:59.999999Z',
    '2000-01-01T07:59:59+08:00',
    '2000-01-01T00:00:00+00:01',
    '0001-01-01T00:00:00Z',
    '0099-06-01T00:00:00Z',
    '1970-01-01T00:00:00Z',
  ])('rejects %s as before 2000-01-01', (raw) => {
    expect(error(raw)).toMatch(/is before 2000-01-01T00:00:00Z/);
  });

  it.each([
    '2100-01-01T00:00:00.000001Z',
    '2100-01-01T00:00:00.0000001Z',
    '2100-01-01T00:00:01Z',
    '2099-12-31T23:00:00-01:01',
    '2100-01-01T00:00:00-00:01',
    '9999-12-31T23:59:59Z',
  ])('rejects %s as after 2100-01-01', (raw) => {
    expect(error(raw)).toMatch(/is after 2100-01-01T00:00:00Z/);
  });

  it('applies the bounds to Unix times too', () => {
    expect(error('0946684799')).toMatch(/before 2000/);
    expect(iso('4102444800')).toBe('2100-01-01T00:00:00.000Z');
    expect(error('4102444801')).toMatch(/after 2100/);
    expect(error('9999999999')).toMatch(/after 2100/);
    expect(iso('4102444800000')).toBe('2100-01-01T00:00:00.000Z');
    expect(error('4102444800001')).toMatch(/after 2100/);
    expect(error('0946684799999')).toMatch(/before 2000/);
  });
});

describe('occurred_at: rejected forms', () => {
  it.each([
    ['17205129020', 11],
    ['172051290', 9],
    ['17205129022', 11],
    ['172051290225', 12],
    ['17205129022500', 14],
    ['1', 1],
  ])('rejects %s: %i digits are neither seconds nor milliseconds', (raw, digits) => {
    expect(error(raw)).toBe(
      `occurred_at "${raw}" is a number of ${digits} digits: Unix seconds have 10 digits and Unix milliseconds 13`,
    );
  });

  it.each([
    'yesterday',
    '2024-07-09',
    '2024-07-09T08:15Z', // seconds are required
    '2024-07-09T08:15:02.Z',
    '2024-07-09T08:15:02,250Z',
    '2024-07-09T08:15:02+0800',
    '2024-07-09T08:15:02+08',
    '2024-07-09T08:15:02 Z',
    '2024-07-09T08:15:02ZZ',
    '2024-07-09T08:15:02Z+08:00',
    '2024-07-09X08:15:02Z',
    '2024-7-9T08:15:02Z',
    '24-07-09T08:15:02Z',
    '20240709T081502Z',
    '+2024-07-09T08:15:02Z',
    'Tue, 09 Jul 2024 08:15:02 GMT',
    '2024-07-09T08:15:02.250+08:00junk',
    '1720512902.5',
    '-1720512902',
    '+1720512902',
    '1.720512902e9',
    '２０２４-07-09T08:15:02Z', // full-width digits
    '',
  ])('rejects %j as not a time', (raw) => {
    expect(error(raw)).toMatch(/is not a valid time; use ISO 8601/);
  });

  it.each([
    '2024-02-30T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-00-10T00:00:00Z',
    '2024-07-00T00:00:00Z',
    '2024-07-32T00:00:00Z',
  ])('rejects the impossible date %s', (raw) => {
    expect(error(raw)).toMatch(/is not a real calendar date/);
  });

  it.each(['2024-07-09T24:00:00Z', '2024-07-09T23:60:00Z', '2024-07-09T23:59:60Z', '2024-07-09T99:00:00Z'])(
    'rejects the impossible time of day %s',
    (raw) => {
      expect(error(raw)).toMatch(/is not a real time of day/);
    },
  );

  it.each(['2024-07-09T08:15:02+24:00', '2024-07-09T08:15:02+08:60'])('rejects the impossible offset in %s', (raw) => {
    expect(error(raw)).toMatch(/has an impossible UTC offset/);
  });

  it('names the field and quotes the value, shortening long ones', () => {
    expect(error('soon')).toMatch(/^occurred_at "soon" is not a valid time/);
    const long = error('x'.repeat(500));
    expect(long).toContain('… (500 characters)');
    expect(long.length).toBeLessThan(300);
  });
});

describe('occurred_at: agrees with Date for every millisecond instant in range', () => {
  const min = Date.UTC(2000, 0, 1);
  const max = Date.UTC(2100, 0, 1);
  it('parses and formats like Date#toISOString, with any offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min, max }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        (ms, offset) => {
          const expected = new Date(ms).toISOString();
          expect(formatIso(ms)).toBe(expected);
          expect(iso(String(ms).padStart(13, '0'))).toBe(expected);
          // Render the same instant in local time at `offset` minutes east of UTC.
          const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
          const sign = offset < 0 ? '-' : '+';
          const abs = Math.abs(offset);
          const suffix = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          expect(iso(local + suffix)).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
