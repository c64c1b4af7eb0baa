// Exact totals over any [from, to) from pre-aggregated counts: whole UTC days come from
// the daily rollup, whole hours at the edges from the hourly rollup, and only the
// minutes before the first and after the last whole hour from raw rows (via the time
// index). The coarsest table that answers each part is used.

const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface Span {
  from: Date;
  to: Date;
}

/** The span of equal length just before: what headline numbers compare with. */
export function previousSpan(s: Span): Span {
  return { from: new Date(2 * s.from.getTime() - s.to.getTime()), to: s.from };
}

export interface RangeParts {
  raw: Span[];
  hourly: Span[];
  daily: Span[];
}

const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;
const ceilTo = (t: number, unit: number) => Math.ceil(t / unit) * unit;

function span(from: number, to: number): Span[] {
  return to > from ? [{ from: new Date(from), to: new Date(to) }] : [];
}

/**
 * Splits [from, to) into raw, hourly and daily spans. `useDaily` false keeps whole days
 * in the hourly table (needed when buckets follow a time zone other than UTC).
 */
export function rangeParts(from: Date, to: Date, useDaily = true): RangeParts {
  const f = from.getTime();
  const t = to.getTime();
  const h1 = ceilTo(f, HOUR);
  const h2 = floorTo(t, HOUR);
  if (h1 >= h2) return { raw: span(f, t), hourly: [], daily: [] };
  const raw = [...span(f, h1), ...span(h2, t)];
  const d1 = ceilTo(h1, DAY);
  const d2 = floorTo(h2, DAY);
  if (!useDaily || d1 >= d2) return { raw, hourly: span(h1, h2), daily: [] };
  return { raw, hourly: [...span(h1, d1), ...span(d2, h2)], daily: span(d1, d2) };
}

/** Days-only split for tables that exist per day alone (account counts). */
export function dayParts(from: Date, to: Date): { raw: Span[]; daily: Span[] } {
  const f = from.getTime();
  const t = to.getTime();
  const d1 = ceilTo(f, DAY);
  const d2 = floorTo(t, DAY);
  if (d1 >= d2) return { raw: span(f, t), daily: [] };
  return { raw: [...span(f, d1), ...span(d2, t)], daily: span(d1, d2) };
}

/** Whether every offset of `tz` over the range is a whole number of hours. */
export function hasWholeHourOffsets(tz: string, from: Date, to: Date): boolean {
  if (tz === 'UTC') return true;
  const step = Math.max(DAY, (to.getTime() - from.getTime()) / 64);
  for (let t = from.getTime(); t <= to.getTime() + step; t += step) {
    const parts = new Intl.DateTimeFormat('en', { timeZone: tz, timeZoneName: 'longOffset' }).formatToParts(new Date(t));
    const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const minutes = /GMT[+-]\d{2}:(\d{2})/.exec(name)?.[1];
    if (minutes && minutes !== '00') return false;
  }
  return true;
}

/**
 * A UTC month touched by a range: the days of it wholly in range (whole, 1-based and
 * inclusive; [1, 0] when none) and the days at least partly in range (touched).
 */
export interface MonthDays {
  /** The month's first day, YYYY-MM-01. */
  month: string;
  whole: [number, number];
  touched: [number, number];
}

/**
 * The UTC month holding a day (counted in days since 1970-01-01): its first day, the next
 * month's first day, and its first day as YYYY-MM-01, the month column's value.
 */
export function utcMonth(day: number): { first: number; next: number; text: string } {
  const date = new Date(day * DAY);
  const first = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / DAY;
  const next = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / DAY;
  return { first, next, text: new Date(first * DAY).toISOString().slice(0, 10) };
}

export function monthDays(from: Date, to: Date): MonthDays[] {
  const touchedFrom = Math.floor(from.getTime() / DAY);
  const touchedTo = Math.ceil(to.getTime() / DAY);
  const wholeFrom = Math.ceil(from.getTime() / DAY);
  const wholeTo = Math.floor(to.getTime() / DAY);
  const months: MonthDays[] = [];
  for (let d = touchedFrom; d < touchedTo; ) {
    const { first, next, text } = utcMonth(d);
    const end = Math.min(touchedTo, next);
    const wFrom = Math.max(wholeFrom, d);
    const wTo = Math.min(wholeTo, end);
    months.push({
      month: text,
      whole: wTo > wFrom ? [wFrom - first + 1, wTo - first] : [1, 0],
      touched: [d - first + 1, end - first],
    });
    d = end;
  }
  return months;
}
