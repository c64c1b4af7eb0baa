import type { Bucket } from '@/lib/analytics/filters';

import { wallTime, zonedWallTimeToUtc } from './format';

const MAX_BUCKETS = 5000;

/**
 * Every bucket start from the one holding `from` up to `to`, in the zone (as the queries'
 * date_trunc(bucket, ts AT TIME ZONE tz) computes them), so that charts show quiet
 * periods as zero instead of silently closing the gap.
 */
export function bucketStarts(from: Date | string, to: Date | string, bucket: Bucket, tz: string): string[] {
  const w = wallTime(from, tz);
  let y = Number(w.y);
  let mo = Number(w.mo) - 1;
  let d = Number(w.d);
  let h = bucket === 'hour' ? Number(w.h) : 0;
  if (bucket === 'week') {
    const weekday = (new Date(Date.UTC(y, mo, d)).getUTCDay() + 6) % 7; // Monday = 0
    d -= weekday;
  }
  const end = new Date(to).getTime();
  const starts: string[] = [];
  for (let i = 0; i < MAX_BUCKETS; i += 1) {
    const wall = new Date(Date.UTC(y, mo, d, h));
    const iso = wall.toISOString().slice(0, 16);
    const instant = zonedWallTimeToUtc(iso, tz);
    if (!instant || instant.getTime() >= end) break;
    if (starts[starts.length - 1] !== instant.toISOString()) starts.push(instant.toISOString());
    if (bucket === 'hour') h += 1;
    else d += bucket === 'day' ? 1 : 7;
    // Normalise through Date.UTC's overflow handling.
    const next = new Date(Date.UTC(y, mo, d, h));
    y = next.getUTCFullYear(); mo = next.getUTCMonth(); d = next.getUTCDate(); h = next.getUTCHours();
  }
  return starts;
}

/** The points on every bucket of the range, zero where the query returned none. */
export function fillBuckets<P extends { bucket: string }>(
  points: P[],
  starts: string[],
  empty: (bucket: string) => P,
): P[] {
  const byBucket = new Map(points.map((p) => [p.bucket, p]));
  const all = [...new Set([...starts, ...points.map((p) => p.bucket)])].sort();
  return all.map((b) => byBucket.get(b) ?? empty(b));
}

/** The start of the bucket an instant falls in (the last start at or before it). */
export function bucketOf(instant: string, starts: string[]): string | null {
  let found: string | null = null;
  for (const s of starts) {
    if (s <= instant) found = s;
    else break;
  }
  return found;
}
