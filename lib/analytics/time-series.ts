import { inSnapshot } from '@/lib/db/snapshot';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { quarterCounts } from '@/lib/rollups/region-route-quarters';

import type { Bucket, Filters } from './filters';
import { hasWholeMinuteOffsets, hasWholeQuarterHourOffsets, rangeParts } from './range';
import { decisionCounts } from './sources';

export interface SeriesPoint {
  /** Start of the bucket (ISO 8601, UTC instant); buckets follow the filters' time zone. */
  bucket: string;
  allowed: number;
  blocked: number;
  total: number;
}

type SeriesRow = { bucket: Date; allowed: number | bigint | null; blocked: number | bigint | null };

const points = (rows: SeriesRow[]): SeriesPoint[] =>
  rows.map((r) => {
    const allowed = Number(r.allowed ?? 0);
    const blocked = Number(r.blocked ?? 0);
    return { bucket: r.bucket.toISOString(), allowed, blocked, total: allowed + blocked };
  });

/** Allowed and blocked per hour, day or week (weeks start on Monday) in the filters' time zone. */
export async function timeSeries(prisma: PrismaClient, filters: Filters, bucket: Bucket): Promise<SeriesPoint[]> {
  if (bucket === 'hour' && hasWholeQuarterHourOffsets(filters.tz, filters.from, filters.to)) {
    return inSnapshot(prisma, (tx) => quarterHourSeries(tx, filters));
  }
  const unit = Prisma.raw(`'${bucket}'`); // from a closed enum
  // Summed per UTC minute first (where the zone's offsets are whole minutes, as every
  // zone's have been since 1972): the time zone conversion then runs once a minute with
  // decisions rather than once a counts row (~150 an hour at 10M rows: 90 days in Shanghai
  // time took ~145 ms converting 325,000).
  const grain = Prisma.raw(hasWholeMinuteOffsets(filters.tz, filters.from, filters.to) ? `'minute'` : `'microseconds'`);
  return points(await prisma.$queryRaw<SeriesRow[]>`
    SELECT date_trunc(${unit}, minute AT TIME ZONE ${filters.tz}) AT TIME ZONE ${filters.tz} AS bucket,
           sum(allowed) AS allowed, sum(blocked) AS blocked
      FROM (SELECT date_trunc(${grain}, ts) AS minute,
                   sum(n) FILTER (WHERE decision = 'allowed') AS allowed, sum(n) FILTER (WHERE decision = 'blocked') AS blocked
              FROM (${decisionCounts(filters, { tz: filters.tz, finest: bucket === 'hour' ? 'hour' : 'day' })}) s GROUP BY 1) per_minute
     GROUP BY 1 ORDER BY 1`);
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
  const quarters = hourly[0] ? await quarterCounts(tx, hourly[0], filters) : { at: [], allowed: [], blocked: [] };
  // The quarters as text lists: ~8,600 for 90 days, which as array parameters cost more to
  // send than the statement takes to run.
  // Each edge lies within one UTC hour, so its counts are its raw rows (in UTC: no zone split).
  const edges = raw.map((s) => Prisma.sql`SELECT ts, decision, n FROM (${decisionCounts({ ...filters, ...s })}) e`);
  return points(await tx.$queryRaw<SeriesRow[]>`
    SELECT date_trunc('hour', ts AT TIME ZONE ${filters.tz}) AT TIME ZONE ${filters.tz} AS bucket,
           sum(allowed)::bigint AS allowed, sum(blocked)::bigint AS blocked
      FROM (SELECT to_timestamp(unnest(string_to_array(${quarters.at.map((t) => t / 1000).join(',')}, ',')::bigint[])) AS ts,
                   unnest(string_to_array(${quarters.allowed.join(',')}, ',')::bigint[]) AS allowed,
                   unnest(string_to_array(${quarters.blocked.join(',')}, ',')::bigint[]) AS blocked
            ${edges.length ? Prisma.sql`UNION ALL SELECT ts, CASE WHEN decision = 'allowed' THEN n ELSE 0 END, CASE WHEN decision = 'blocked' THEN n ELSE 0 END
              FROM (${Prisma.join(edges, ' UNION ALL ')}) e` : Prisma.empty}) c
     GROUP BY 1 ORDER BY 1`);
}
