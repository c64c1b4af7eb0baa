import { Prisma } from '@/lib/generated/prisma/client';
import { accountDailySelects } from '@/lib/rollups/account-running-monthly';
import { dailyCountsSelect, hourlyCountsSelect } from '@/lib/rollups/decision-counts';

import { rawSpanWhere } from './filter-sql';
import type { Filters } from './filters';
import { dayParts, hasWholeHourOffsets, monthDays, rangeParts, type Span, zoneDayParts, type ZoneDayParts } from './range';

// The counts behind every dashboard number, as one SQL relation
//   (ts timestamptz, caller_region, provider, channel, decision, reason, model, n)
// assembled from the coarsest tables that answer the range exactly (see range.ts): whole
// days and hours from the decision counts (lib/rollups/decision-counts.ts), the rest from
// raw rows.

function rawSelect(s: Span, filters: Filters): Prisma.Sql {
  return Prisma.sql`SELECT occurred_at AS ts, caller_region, provider, channel, decision,
      coalesce(reason, '') AS reason, coalesce(model, '') AS model, 1::bigint AS n
    FROM access_decisions WHERE ${rawSpanWhere(s, filters)}`;
}

export interface SourceOptions {
  /** Buckets will be computed in this zone: whole UTC days are only usable for UTC. */
  tz?: string;
  /** The finest bucket the caller groups by: hour buckets cannot come from daily counts. */
  finest?: 'hour' | 'day';
}

/** Decision counts for the filters' range and dimensions. */
export function decisionCounts(filters: Filters, options: SourceOptions = {}): Prisma.Sql {
  const tz = options.tz ?? 'UTC';
  if (!hasWholeHourOffsets(tz, filters.from, filters.to)) return splitZoneCounts(tz, filters, options.finest ?? 'day');
  const parts = rangeParts(filters.from, filters.to, tz === 'UTC' && options.finest !== 'hour');
  const selects: Prisma.Sql[] = [
    ...parts.daily.map((s) => dailyCountsSelect(s, filters)),
    ...parts.hourly.map((s) => hourlyCountsSelect(s, filters)),
    ...parts.raw.map((s) => rawSelect(s, filters)),
  ];
  return selects.length ? Prisma.join(selects, ' UNION ALL ') : Prisma.sql`SELECT NULL::timestamptz AS ts, NULL::char(2) AS caller_region,
      NULL::text AS provider, NULL::text AS channel, NULL::"Decision" AS decision, ''::text AS reason, ''::text AS model, 0::bigint AS n WHERE false`;
}

/**
 * Counts for buckets that follow a zone with offsets such as +05:30 (see zoneDayParts):
 * hour buckets there straddle two UTC hours and come from raw rows alone.
 */
function splitZoneCounts(tz: string, filters: Filters, finest: 'hour' | 'day'): Prisma.Sql {
  if (finest === 'hour') return rawSelect({ from: filters.from, to: filters.to }, filters);
  const parts = zoneDayParts(tz, filters.from, filters.to);
  return Prisma.join([
    ...parts.raw.map((s) => rawSelect(s, filters)),
    ...parts.moved.map(({ side, place }) => Prisma.sql`
      SELECT x.ts, caller_region, provider, channel, decision, coalesce(reason, '') AS reason, coalesce(model, '') AS model, x.n
        FROM access_decisions CROSS JOIN LATERAL (VALUES (occurred_at, 1::bigint), (${place}::timestamptz, -1::bigint)) x (ts, n)
       WHERE ${rawSpanWhere(side, filters)}`),
    ...parts.hourly.map((s) => (parts.placed.length
      ? Prisma.sql`SELECT coalesce(p.place, h.ts) AS ts, h.caller_region, h.provider, h.channel, h.decision, h.reason, h.model, h.n
          FROM (${hourlyCountsSelect(s, filters)}) h LEFT JOIN (VALUES ${placedValues(parts)}) p (hour, place) ON p.hour = h.ts`
      : hourlyCountsSelect(s, filters))),
  ], ' UNION ALL ');
}

/** zoneDayParts' placed hours as VALUES rows (hour, place). */
export const placedValues = (parts: ZoneDayParts): Prisma.Sql =>
  Prisma.join(parts.placed.map((p) => Prisma.sql`(${p.hour}::timestamptz, ${p.place}::timestamptz)`));

/**
 * One account's counts (ts, account_id, caller_region, provider, channel, decision, n):
 * whole UTC days from the running monthly rows (lib/rollups/account-running-monthly.ts),
 * partial days at the edges from raw rows.
 */
export function accountCounts(filters: Filters, accountId: string): Prisma.Sql {
  const selects = accountDailySelects(filters, monthDays(filters.from, filters.to), accountId);
  for (const s of dayParts(filters.from, filters.to).raw) {
    selects.push(Prisma.sql`SELECT occurred_at AS ts, account_id, caller_region, provider, channel, decision, 1::bigint AS n
        FROM access_decisions WHERE ${rawSpanWhere(s, filters, [Prisma.sql`account_id = ${accountId}`])}`);
  }
  return selects.length ? Prisma.join(selects, ' UNION ALL ') : Prisma.sql`SELECT NULL::timestamptz AS ts, NULL::text AS account_id,
      NULL::char(2) AS caller_region, NULL::text AS provider, NULL::text AS channel, NULL::"Decision" AS decision, 0::bigint AS n WHERE false`;
}
