import type { Bucket } from '@/lib/analytics/filters';

// The naive model of a time zone's buckets, from Intl rather than from the SQL under test.

const formats = new Map<string, Intl.DateTimeFormat>();

/** Instant `t`'s local calendar fields in `tz` (year, month, day, hour, minute, weekday). */
export function localParts(tz: string, t: number): Record<string, string> {
  let fmt = formats.get(tz);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'short',
    });
    formats.set(tz, fmt);
  }
  return Object.fromEntries(fmt.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
}

/** The local bucket instant `t` falls in, as a key: its hour, its date, or its week's Monday. */
export const localBucketKey = (tz: string, bucket: Bucket) => (t: number): string => {
  const p = localParts(tz, t);
  if (bucket === 'hour') return `${p.year}-${p.month}-${p.day} ${p.hour}`;
  if (bucket === 'day') return `${p.year}-${p.month}-${p.day}`;
  const dow = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(p.weekday!);
  return new Date(Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day)) - dow * 86_400_000).toISOString().slice(0, 10);
};
