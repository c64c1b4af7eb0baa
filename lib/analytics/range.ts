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

/** The units (hours or days since 1970-01-01 UTC, by `unitMs`) that spans touch: their whole units, and the unit of a partial one. */
export function unitsTouched(spans: Span[], unitMs: number): number[] {
  const units: number[] = [];
  for (const s of spans) for (let u = Math.floor(s.from.getTime() / unitMs); u * unitMs < s.to.getTime(); u++) units.push(u);
  return units;
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

/**
 * One formatter per zone and kind, kept: building an Intl.DateTimeFormat costs ~50 µs (it
 * loads the zone's rules), formatting with one ~2, and a chart's checks of its range's
 * offsets ask a few hundred times (~11 ms of 90 days per hour in Kolkata time).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string, kind: 'offset' | 'date'): Intl.DateTimeFormat {
  const key = `${kind} ${tz}`;
  let f = formatters.get(key);
  if (!f) {
    f = kind === 'offset'
      ? new Intl.DateTimeFormat('en', { timeZone: tz, timeZoneName: 'longOffset' })
      : new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(key, f);
  }
  return f;
}

/** The offset of `tz` from UTC at instant `t`, in milliseconds (east positive). */
function offsetMs(tz: string, t: number): number {
  const parts = formatter(tz, 'offset').formatToParts(new Date(t));
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?/.exec(name);
  if (!m) return 0; // "GMT": no offset
  return (m[1] === '-' ? -1 : 1) * ((Number(m[2]) * 60 + Number(m[3])) * 60 + Number(m[4] ?? 0)) * 1000;
}

/** Whether every offset of `tz` over the range is a whole number of `unit` (ms). */
function offsetsAreWhole(tz: string, from: Date, to: Date, unit: number): boolean {
  if (tz === 'UTC') return true;
  const step = Math.max(DAY, (to.getTime() - from.getTime()) / 64);
  for (let t = from.getTime(); t <= to.getTime() + step; t += step) {
    if (offsetMs(tz, t) % unit !== 0) return false;
  }
  return true;
}

/** Whether every offset of `tz` over the range is a whole number of hours. */
export const hasWholeHourOffsets = (tz: string, from: Date, to: Date) => offsetsAreWhole(tz, from, to, HOUR);

/** Whether every offset of `tz` over the range is a whole number of quarter hours (every zone's today: +05:30, +05:45, -03:30). */
export const hasWholeQuarterHourOffsets = (tz: string, from: Date, to: Date) => offsetsAreWhole(tz, from, to, 900_000);

/** Whether every offset over the range is whole minutes: true of every zone since 1972 (Monrovia's -00:44:30 was the last). */
export const hasWholeMinuteOffsets = (tz: string, from: Date, to: Date) => offsetsAreWhole(tz, from, to, 60_000);

/**
 * For a zone whose offsets are whole quarter hours: the start (a UTC instant) of the local
 * hour that holds quarter start t, wherever the zone's offset stays the same from three
 * hours before t to four after (no offset change moves a clock by more than two hours); null
 * near a change, where a local hour may come twice or not at all and SQL's conversion
 * places it. Offsets are sampled every 12 hours (no zone changes its offset twice within
 * a day) and kept for the returned function's later calls.
 */
export function localHourStart(tz: string): (t: number) => number | null {
  const half = 12 * HOUR;
  const samples = new Map<number, number>();
  const sample = (i: number) => {
    let o = samples.get(i);
    if (o === undefined) samples.set(i, (o = offsetMs(tz, i * half)));
    return o;
  };
  return (t) => {
    const first = Math.floor((t - 3 * HOUR) / half);
    const offset = sample(first);
    for (let i = first + 1; i <= Math.ceil((t + 4 * HOUR) / half); i++) if (sample(i) !== offset) return null;
    return Math.floor((t + offset) / HOUR) * HOUR - offset;
  };
}

const localDate = (tz: string, t: number) => formatter(tz, 'date').format(new Date(t));

/**
 * Each local date's start near [from, to), taken as its UTC midnight less the offset in
 * force then (looked up twice: the offset at the first guess may differ across a DST change).
 * A zone whose clocks skip midnight starts that date elsewhere: localDayStarts checks.
 */
function localMidnights(tz: string, from: number, to: number): number[] {
  const out: number[] = [];
  for (let date = floorTo(from, DAY) - DAY; date <= to + DAY; date += DAY) out.push(date - offsetMs(tz, date - offsetMs(tz, date)));
  return out;
}

/**
 * The instants in [from, to) at which the local date of `tz` changes, each checked (the
 * date an instant before differs). Where the guess misses (a zone whose clocks skip
 * midnight), the boundary near it is left out and the UTC day it falls in is listed in
 * `missed`.
 */
export function localDayStarts(tz: string, from: Date, to: Date): { starts: Date[]; missed: number[] } {
  const starts: Date[] = [];
  const missed: number[] = [];
  for (const midnight of localMidnights(tz, from.getTime(), to.getTime())) {
    if (midnight < from.getTime() || midnight >= to.getTime()) continue;
    if (localDate(tz, midnight) !== localDate(tz, midnight - 1)) starts.push(new Date(midnight));
    else missed.push(floorTo(midnight, DAY));
  }
  return { starts, missed };
}

/**
 * Where the counts of `span` go when a local date starts inside it: to the longer side of
 * the start (`place`), the rows of the shorter side (`moved`) then each counted at its own
 * instant and taken off at `place`.
 */
export function splitAtStart(span: Span, start: Date): { place: Date; moved: Span } {
  return start.getTime() - span.from.getTime() <= span.to.getTime() - start.getTime()
    ? { place: start, moved: { from: span.from, to: start } }
    : { place: span.from, moved: { from: start, to: span.to } };
}

/** A whole UTC hour that a local midnight falls inside, not at its start. */
export interface SplitHour {
  hour: Span;
  midnight: Date;
}

/**
 * The whole UTC hours of [from, to) that a midnight of `tz` falls inside rather than at
 * their start (every one of them in a zone such as Asia/Kolkata, +05:30): a day or week
 * bucket of that zone holds only part of such an hour, which its hourly counts cannot
 * split, while every other whole hour lies in one local day.
 */
export function hoursSplitByLocalMidnight(tz: string, from: Date, to: Date): SplitHour[] {
  const h1 = ceilTo(from.getTime(), HOUR);
  const h2 = floorTo(to.getTime(), HOUR);
  const split: SplitHour[] = [];
  for (const midnight of localMidnights(tz, h1, h2)) {
    const hour = floorTo(midnight, HOUR);
    if (midnight !== hour && hour >= h1 && hour + HOUR <= h2) {
      split.push({ hour: { from: new Date(hour), to: new Date(hour + HOUR) }, midnight: new Date(midnight) });
    }
  }
  return split;
}

/**
 * How to count day or week buckets of a zone whose offsets are not whole hours (Asia/Kolkata
 * +05:30, Asia/Kathmandu +05:45), where a whole UTC hour lies in one local day but for the
 * hour each local midnight falls inside. Every whole hour is read from hourly counts, a
 * split hour's counts placed on one side of its midnight (splitAtStart; `placed` lists those
 * placed elsewhere than at the hour's start); the raw rows of its other, shorter side
 * (`moved`) are then each counted at its own time and taken off at `place` (n = -1). Raw
 * rows: the range's partial first and last hours, and at most half an hour a day.
 */
export interface ZoneDayParts {
  raw: Span[];
  hourly: Span[];
  placed: Placement[];
  moved: { side: Span; place: Date }[];
}

/** Counts stored at instant `at` that belong at `place`. */
export interface Placement {
  at: Date;
  place: Date;
}

export function zoneDayParts(tz: string, from: Date, to: Date): ZoneDayParts {
  const whole = rangeParts(from, to, false);
  const parts: ZoneDayParts = { raw: whole.raw, hourly: whole.hourly, placed: [], moved: [] };
  for (const { hour, midnight } of hoursSplitByLocalMidnight(tz, from, to)) {
    const { place, moved } = splitAtStart(hour, midnight);
    if (place.getTime() !== hour.from.getTime()) parts.placed.push({ at: hour.from, place });
    parts.moved.push({ side: moved, place });
  }
  return parts;
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

/**
 * How to count day or week buckets of a zone other than UTC whose offsets are quarter hours,
 * from daily, hourly and quarter hour counts, with raw rows only at the range's edges:
 * - each whole UTC day with one local date start inside it is read from the daily counts,
 *   placed on the longer side of that start (`placed`), and the quarters of its shorter side
 *   (`moved`) are each counted at their own instant and taken off at the placement;
 * - the whole hours of the partial edge days, and of a day with no checkable start (a
 *   fall-back day, a skipped midnight, which localDayStarts lists as missed) or two (a
 *   spring-forward day), from the hourly counts (`hourly`), but for an hour a local
 *   midnight falls inside, whose quarters are counted at their own instants (`ownQuarters`);
 * - `raw`: the minutes before the first and after the last whole hour.
 * `quarterHours` lists every hour (since 1970-01-01 UTC) whose quarters are read, ascending.
 */
export interface ZoneDayPlan {
  raw: Span[];
  hourly: Span[];
  daily: Span[];
  placed: Placement[];
  moved: { side: Span; place: Date }[];
  ownQuarters: Span[];
  quarterHours: number[];
}

export function zoneDayPlan(tz: string, from: Date, to: Date): ZoneDayPlan {
  const parts = rangeParts(from, to);
  const plan: ZoneDayPlan = { raw: parts.raw, hourly: [], daily: [], placed: [], moved: [], ownQuarters: [], quarterHours: [] };
  const byHour: Span[] = [...parts.hourly];
  for (const whole of parts.daily) {
    const startsOf = new Map<number, Date[]>();
    const { starts: checked, missed } = localDayStarts(tz, whole.from, whole.to);
    for (const start of checked) {
      const d = floorTo(start.getTime(), DAY);
      startsOf.set(d, [...(startsOf.get(d) ?? []), start]);
    }
    // A day with a start the guess missed (clocks skipping midnight) may hold another checked one.
    const unsure = new Set(missed);
    for (let d = whole.from.getTime(); d < whole.to.getTime(); d += DAY) {
      const day = { from: new Date(d), to: new Date(d + DAY) };
      const starts = startsOf.get(d) ?? [];
      if (starts.length !== 1 || unsure.has(d)) {
        byHour.push(day);
        continue;
      }
      const last = plan.daily[plan.daily.length - 1];
      if (last && last.to.getTime() === d) last.to = day.to;
      else plan.daily.push({ ...day });
      const { place, moved } = splitAtStart(day, starts[0]!);
      if (place.getTime() !== d) plan.placed.push({ at: day.from, place });
      if (moved.to > moved.from) plan.moved.push({ side: moved, place });
    }
  }
  for (const s of byHour) {
    let start = s.from.getTime();
    for (const { hour } of hoursSplitByLocalMidnight(tz, s.from, s.to)) {
      if (hour.from.getTime() > start) plan.hourly.push({ from: new Date(start), to: hour.from });
      plan.ownQuarters.push(hour);
      start = hour.to.getTime();
    }
    if (start < s.to.getTime()) plan.hourly.push({ from: new Date(start), to: s.to });
  }
  plan.quarterHours = [...new Set(unitsTouched([...plan.ownQuarters, ...plan.moved.map((m) => m.side)], HOUR))].sort((a, b) => a - b);
  return plan;
}
