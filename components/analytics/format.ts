// Formatting shared by server and client components. Every time shown to a user goes
// through here, in the zone chosen in the URL (`tz`), so the server's render and the
// browser's hydration agree and every label can name its zone.

import type { Bucket } from '@/lib/analytics/filters';

export const nf = new Intl.NumberFormat('en');
const pf = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });

export function formatCount(n: number): string {
  return nf.format(n);
}

export function formatRate(rate: number | null): string {
  return rate === null ? '–' : pf.format(rate);
}

const partsCache = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = partsCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    partsCache.set(tz, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a zone. */
export function wallTime(instant: Date | string, tz: string): { y: string; mo: string; d: string; h: string; mi: string; s: string } {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  const parts = Object.fromEntries(formatter(tz).formatToParts(date).map((p) => [p.type, p.value]));
  return { y: parts.year ?? '', mo: parts.month ?? '', d: parts.day ?? '', h: parts.hour ?? '', mi: parts.minute ?? '', s: parts.second ?? '' };
}

/** "2024-07-09 16:15" in the zone (no label: for cells under a header that names the zone). */
export function formatTime(instant: Date | string, tz: string, withSeconds = false): string {
  const w = wallTime(instant, tz);
  return `${w.y}-${w.mo}-${w.d} ${w.h}:${w.mi}${withSeconds ? `:${w.s}` : ''}`;
}

/** "2024-07-09 16:15 (Asia/Shanghai)". */
export function formatTimeInZone(instant: Date | string, tz: string, withSeconds = false): string {
  return `${formatTime(instant, tz, withSeconds)} (${tz})`;
}

export function formatDay(instant: Date | string, tz: string): string {
  const w = wallTime(instant, tz);
  return `${w.y}-${w.mo}-${w.d}`;
}

/** A bucket's start as its axis label: hours show the time, days and weeks the date. */
export function formatBucket(instant: string, bucket: Bucket, tz: string): string {
  const w = wallTime(instant, tz);
  return bucket === 'hour' ? `${w.mo}-${w.d} ${w.h}:00` : `${w.y}-${w.mo}-${w.d}`;
}

export const BUCKET_LABEL: Record<Bucket, string> = { hour: 'Hour', day: 'Day', week: 'Week (from Monday)' };

/** "2024-06-01 00:00 to 2024-07-01 00:00 (UTC)". */
export function formatRange(from: Date | string, to: Date | string, tz: string): string {
  return `${formatTime(from, tz)} to ${formatTime(to, tz)} (${tz})`;
}

/**
 * The UTC instant of a wall-clock time ("2024-07-09T16:15") in a zone: the offset is
 * found by formatting a first guess back in the zone (twice, for times near a DST change).
 */
export function zonedWallTimeToUtc(wall: string, tz: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(wall);
  if (!m) return null;
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  let guess = asUtc;
  for (let i = 0; i < 2; i += 1) {
    const w = wallTime(new Date(guess), tz);
    const shown = Date.UTC(Number(w.y), Number(w.mo) - 1, Number(w.d), Number(w.h), Number(w.mi), Number(w.s));
    guess += asUtc - shown;
  }
  return new Date(guess);
}

/** The value of a datetime-local input for an instant in a zone ("2024-07-09T16:15"). */
export function toWallTimeInput(instant: Date | string, tz: string): string {
  const w = wallTime(instant, tz);
  return `${w.y}-${w.mo}-${w.d}T${w.h}:${w.mi}`;
}

export interface Change {
  text: string;
  /** Whether the change is bad news for compliance (more blocked), good, or neither. */
  tone: 'up' | 'down' | 'flat' | 'none';
}

/** Relative change of a count against the previous period ("+12.3%"). */
export function countChange(current: number, previous: number): Change {
  if (previous === 0) return current === 0 ? { text: 'no change', tone: 'flat' } : { text: 'none before', tone: 'none' };
  const delta = (current - previous) / previous;
  if (Math.abs(delta) < 0.0005) return { text: 'no change', tone: 'flat' };
  return { text: `${delta > 0 ? '+' : '−'}${pf.format(Math.abs(delta))}`, tone: delta > 0 ? 'up' : 'down' };
}

/** Change of a rate in percentage points ("+4.1 pp"). */
export function rateChange(current: number | null, previous: number | null): Change {
  if (current === null || previous === null) return { text: 'no comparison', tone: 'none' };
  const pp = (current - previous) * 100;
  if (Math.abs(pp) < 0.05) return { text: 'no change', tone: 'flat' };
  return { text: `${pp > 0 ? '+' : '−'}${Math.abs(pp).toFixed(1)} pp`, tone: pp > 0 ? 'up' : 'down' };
}
