import { inSnapshot } from '@/lib/db/snapshot';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { type QuarterCounts, quarterCounts } from '@/lib/rollups/region-route-quarters';

import type { Bucket, Filters } from './filters';
import { hasWholeHourOffsets, hasWholeMinuteOffsets, hasWholeQuarterHourOffsets, hoursSplitByLocalMidnight, rangeParts, type Span } from './range';
import { decisionCounts } from './sources';

export interface SeriesPoint {
  /** Start of the bucket (ISO 8601, UTC instant); buckets follow the filters' time zone. */
  bucket: string;
  allowed: number;
  blocked: number;
  total: number;
}

type SeriesRow = { bucket: Date; allowed: number | bigint | null; blocked: number | bigint | null };

const HOUR_MS = 3_600_000;

/** Allowed and blocked per hour, day or week (weeks start on Monday) in the filters' time zone. */
export async function timeSeries(prisma: PrismaClient, filters: Filters, bucket: Bucket): Promise<SeriesPoint[]> {
  const { tz, from, to } = filters;
  if (hasWholeQuarterHourOffsets(tz, from, to)) {
    if (bucket === 'hour') return inSnapshot(prisma, (tx) => quarterHourSeries(tx, filters));
    if (!hasWholeHourOffsets(tz, from, to)) return inSnapshot(prisma, (tx) => splitZoneDaySeries(tx, filters, bucket));
  }
  return bucketed(prisma, filters, bucket, decisionCounts(filters, { tz, finest: bucket === 'hour' ? 'hour' : 'day' }), null);
}

/**
 * Hour buckets of a zone whose offsets are quarter hours (every zone's today): each bucket
 * is whole quarters of one UTC hour or, in a zone such as Asia/Kolkata (+05:30), of two,
 * which the hourly counts cannot split. The range's whole UTC hours come from their quarter
 * counts (region-route-quarters.ts: one row an hour, against ~200 hourly counts rows at 10M
 * decisions) and only its partial first and last hours from raw rows. One snapshot for both.
 */
async function quarterHourSeries(tx: Prisma.TransactionClient, filters: Filters): Promise<SeriesPoint[]> {
  const { raw, hourly } = rangeParts(filters.from, filters.to, false);
  const quarters = await quarterCounts(tx, hours(hourly), filters);
  return bucketed(tx, filters, 'hour', edgeCounts(raw, filters), quarters);
}

/**
 * Day and week buckets of a zone whose offsets are quarter hours but not all whole hours:
 * every whole UTC hour lies in one local day but for the hour each local midnight falls
 * inside (hoursSplitByLocalMidnight). The others come from the hourly counts, the split
 * ones from their quarter counts, the partial first and last hours from raw rows: no raw
 * row but at the range's edges (the moved half hours of zoneDayParts read ~2% of 90 days).
 */
async function splitZoneDaySeries(tx: Prisma.TransactionClient, filters: Filters, bucket: Bucket): Promise<SeriesPoint[]> {
  const { raw, hourly } = rangeParts(filters.from, filters.to, false);
  const split = hoursSplitByLocalMidnight(filters.tz, filters.from, filters.to).map((h) => h.hour.from.getTime());
  const whole: Span[] = [];
  for (const s of hourly) {
    let start = s.from.getTime();
    for (const h of split) {
      if (h < start || h >= s.to.getTime()) continue;
      if (h > start) whole.push({ from: new Date(start), to: new Date(h) });
      start = h + HOUR_MS;
    }
    if (start < s.to.getTime()) whole.push({ from: new Date(start), to: s.to });
  }
  const quarters = await quarterCounts(tx, split.map((h) => h / HOUR_MS), filters);
  // finest 'hour': whole hours only, each counted at its own start (never a UTC day's row).
  const counts = [...whole, ...raw].map((s) => Prisma.sql`SELECT * FROM (${decisionCounts({ ...filters, ...s }, { finest: 'hour' })}) c`);
  return bucketed(tx, filters, bucket, counts.length ? Prisma.join(counts, ' UNION ALL ') : null, quarters);
}

/** The hours (since 1970-01-01 UTC) of spans of whole hours. */
function hours(spans: Span[]): number[] {
  const out: number[] = [];
  for (const s of spans) for (let h = s.from.getTime() / HOUR_MS; h < s.to.getTime() / HOUR_MS; h++) out.push(h);
  return out;
}

/** The counts of a range's partial first and last hours: each within one UTC hour, so its raw rows. */
function edgeCounts(raw: Span[], filters: Filters): Prisma.Sql | null {
  return raw.length ? Prisma.join(raw.map((s) => Prisma.sql`SELECT * FROM (${decisionCounts({ ...filters, ...s })}) e`), ' UNION ALL ') : null;
}

/**
 * The series from counts (the relation of sources.ts: ts, ..., decision, n) and quarter
 * counts, bucketed in the filters' zone. Summed per UTC minute first (where the zone's
 * offsets are whole minutes, as every zone's have been since 1972): the time zone conversion
 * then runs once a minute with decisions rather than once a counts row (~150 an hour at 10M
 * rows: 90 days in Shanghai time took ~145 ms converting 325,000). The quarters go as text
 * lists: ~8,600 for 90 days, which as array parameters cost more to send than the statement
 * takes to run.
 */
async function bucketed(
  db: Prisma.TransactionClient | PrismaClient,
  filters: Filters,
  bucket: Bucket,
  counts: Prisma.Sql | null,
  quarters: QuarterCounts | null,
): Promise<SeriesPoint[]> {
  const unit = Prisma.raw(`'${bucket}'`); // from a closed enum
  const grain = Prisma.raw(hasWholeMinuteOffsets(filters.tz, filters.from, filters.to) ? `'minute'` : `'microseconds'`);
  const parts: Prisma.Sql[] = [];
  if (counts) {
    parts.push(Prisma.sql`SELECT date_trunc(${grain}, ts) AS minute,
                   sum(n) FILTER (WHERE decision = 'allowed') AS allowed, sum(n) FILTER (WHERE decision = 'blocked') AS blocked
              FROM (${counts}) s GROUP BY 1`);
  }
  if (quarters?.at.length) {
    parts.push(Prisma.sql`SELECT to_timestamp(unnest(string_to_array(${quarters.at.map((t) => t / 1000).join(',')}, ',')::bigint[])),
                   unnest(string_to_array(${quarters.allowed.join(',')}, ',')::numeric[]),
                   unnest(string_to_array(${quarters.blocked.join(',')}, ',')::numeric[])`);
  }
  if (parts.length === 0) return [];
  const rows = await db.$queryRaw<SeriesRow[]>`
    SELECT date_trunc(${unit}, minute AT TIME ZONE ${filters.tz}) AT TIME ZONE ${filters.tz} AS bucket,
           sum(allowed) AS allowed, sum(blocked) AS blocked
      FROM (${Prisma.join(parts, ' UNION ALL ')}) per_minute
     GROUP BY 1 HAVING coalesce(sum(allowed), 0) + coalesce(sum(blocked), 0) > 0 ORDER BY 1`;
  return rows.map((r) => {
    const allowed = Number(r.allowed ?? 0);
    const blocked = Number(r.blocked ?? 0);
    return { bucket: r.bucket.toISOString(), allowed, blocked, total: allowed + blocked };
  });
}
