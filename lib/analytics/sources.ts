import { Prisma } from '@/lib/generated/prisma/client';
import { accountDailySelects } from '@/lib/rollups/account-running-monthly';
import { dailyCountsSelect, hourlyCountsSelect } from '@/lib/rollups/decision-counts';

import { rawSpanWhere } from './filter-sql';
import type { Filters } from './filters';
import { dayParts, hasWholeHourOffsets, monthDays, rangeParts, type Span } from './range';

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
  // Offsets like +05:30 split hourly buckets across local hours: only raw rows are exact.
  const rawOnly = !hasWholeHourOffsets(tz, filters.from, filters.to);
  const parts = rawOnly
    ? { raw: [{ from: filters.from, to: filters.to }], hourly: [], daily: [] }
    : rangeParts(filters.from, filters.to, tz === 'UTC' && options.finest !== 'hour');
  const selects: Prisma.Sql[] = [
    ...parts.daily.map((s) => dailyCountsSelect(s, filters)),
    ...parts.hourly.map((s) => hourlyCountsSelect(s, filters)),
    ...parts.raw.map((s) => rawSelect(s, filters)),
  ];
  return selects.length ? Prisma.join(selects, ' UNION ALL ') : Prisma.sql`SELECT NULL::timestamptz AS ts, NULL::char(2) AS caller_region,
      NULL::text AS provider, NULL::text AS channel, NULL::"Decision" AS decision, ''::text AS reason, ''::text AS model, 0::bigint AS n WHERE false`;
}

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
