import { inSnapshot } from '@/lib/db/snapshot';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { dailyCountsSelect, hourlyCountsSelect } from '@/lib/rollups/decision-counts';
import { type QuarterCounts, quarterCounts, quarterCountsRelation } from '@/lib/rollups/region-route-quarters';

import type { Bucket, Filters } from './filters';
import { hasWholeMinuteOffsets, hasWholeQuarterHourOffsets, rangeParts, type Span, unitsTouched, zoneDayPlan } from './range';
import { type BucketSums, decisionCounts, placedAt, quartersByLocalHour, quartersMovedAcross, withBucketSums } from './sources';

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
    if (tz !== 'UTC') return inSnapshot(prisma, (tx) => zoneDaySeries(tx, filters, bucket));
  }
  return bucketed(prisma, filters, bucket, decisionCounts(filters, { tz, finest: bucket === 'hour' ? 'hour' : 'day' }), null);
}

/**
 * Hour buckets of a zone whose offsets are quarter hours (every zone's today): each bucket
 * is whole quarters of one UTC hour or, in a zone such as Asia/Kolkata (+05:30), of two,
 * which the hourly counts cannot split. The range's whole UTC hours come from their quarter
 * counts (region-route-quarters.ts: one row an hour, against ~200 hourly counts rows at 10M
 * decisions) and only its partial first and last hours from raw rows. The quarters are
 * summed per local hour here, but near an offset change (quartersByLocalHour). One snapshot.
 */
async function quarterHourSeries(tx: Prisma.TransactionClient, filters: Filters): Promise<SeriesPoint[]> {
  const { raw, hourly } = rangeParts(filters.from, filters.to, false);
  const { summed, rest } = quartersByLocalHour(filters.tz, await quarterCounts(tx, unitsTouched(hourly, HOUR_MS), filters));
  return bucketed(tx, filters, 'hour', edgeCounts(raw, filters), rest, summed);
}

/**
 * Day and week buckets of a zone other than UTC whose offsets are quarter hours (zoneDayPlan):
 * whole UTC days from the daily counts, each placed on the longer side of the local date's
 * start inside it, the quarters of its shorter side moved across (counted at their own
 * instants and taken off at the placement); the partial edge days' hours from the hourly
 * counts, an hour split by a local midnight from its quarters; raw rows only in the partial
 * first and last hours. 90 days in Shanghai time read ~90 daily counts row sets and 720
 * quarter rows instead of 325,000 hourly counts rows; in Kolkata time no raw row of the
 * half hours a midnight splits.
 */
async function zoneDaySeries(tx: Prisma.TransactionClient, filters: Filters, bucket: Bucket): Promise<SeriesPoint[]> {
  const plan = zoneDayPlan(filters.tz, filters.from, filters.to);
  const quarters = quartersMovedAcross(await quarterCounts(tx, plan.quarterHours, filters), plan.moved, plan.ownQuarters);
  const at = placedAt(plan.placed, Prisma.sql`d.ts`);
  const edges = edgeCounts(plan.raw, filters);
  const counts = [
    ...plan.daily.map((s) => Prisma.sql`SELECT ${at.ts} AS ts, d.decision, d.n FROM (${dailyCountsSelect(s, filters)}) d ${at.join}`),
    ...plan.hourly.map((s) => Prisma.sql`SELECT ts, decision, n FROM (${hourlyCountsSelect(s, filters)}) h`),
    ...(edges ? [Prisma.sql`SELECT ts, decision, n FROM (${edges}) e`] : []),
  ];
  return bucketed(tx, filters, bucket, counts.length ? Prisma.join(counts, ' UNION ALL ') : null, quarters);
}

/** The counts of a range's partial first and last hours: each within one UTC hour, so its raw rows. */
function edgeCounts(raw: Span[], filters: Filters): Prisma.Sql | null {
  return raw.length ? Prisma.join(raw.map((s) => Prisma.sql`SELECT * FROM (${decisionCounts({ ...filters, ...s })}) e`), ' UNION ALL ') : null;
}

/**
 * The series from counts (the relation of sources.ts: ts, ..., decision, n) and quarter
 * counts, bucketed in the filters' zone, and buckets already summed. Summed per UTC minute
 * first (where the zone's offsets are whole minutes, as every zone's have been since 1972):
 * the time zone conversion then runs once a minute with decisions rather than once a counts
 * row (~150 an hour at 10M rows: 90 days in Shanghai time took ~145 ms converting 325,000).
 */
async function bucketed(
  db: Prisma.TransactionClient | PrismaClient,
  filters: Filters,
  bucket: Bucket,
  counts: Prisma.Sql | null,
  quarters: QuarterCounts | null,
  summed = new Map<number, BucketSums>(),
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
    parts.push(Prisma.sql`SELECT ts AS minute, allowed, blocked FROM (${quarterCountsRelation(quarters)}) q`);
  }
  const rows = parts.length === 0 ? [] : await db.$queryRaw<SeriesRow[]>`
    SELECT date_trunc(${unit}, minute AT TIME ZONE ${filters.tz}) AT TIME ZONE ${filters.tz} AS bucket,
           sum(allowed)::float8 AS allowed, sum(blocked)::float8 AS blocked
      FROM (${Prisma.join(parts, ' UNION ALL ')}) per_minute
     GROUP BY 1 HAVING coalesce(sum(allowed), 0) + coalesce(sum(blocked), 0) > 0 ORDER BY 1`;
  const sums = rows.map((r) => ({ bucket: r.bucket.getTime(), allowed: Number(r.allowed ?? 0), blocked: Number(r.blocked ?? 0) }));
  return withBucketSums(sums, summed).map(({ bucket: at, allowed, blocked }) => ({ bucket: new Date(at).toISOString(), allowed, blocked, total: allowed + blocked }));
}
