import { Prisma } from '@/lib/generated/prisma/client';

import { type Dimension, type DimensionFilter, DIMENSIONS, type Filters } from './filters';
import { dayParts, hasWholeHourOffsets, monthDays, rangeParts, type Span } from './range';

// The counts behind every dashboard number, as one SQL relation
//   (ts timestamptz, caller_region, provider, channel, decision, reason, model, n)
// assembled from the coarsest tables that answer the range exactly (see range.ts).
// Rollup tables and access_decisions share column names, so one filter clause serves all.

const DIMENSION_COLUMN: Record<'region' | 'provider' | 'channel' | 'decision', string> = {
  region: 'caller_region',
  provider: 'provider',
  channel: 'channel',
  decision: 'decision::text',
};

function dimensionClauses(filters: Filters, dimensions: readonly Dimension[]): Prisma.Sql[] {
  const clauses: Prisma.Sql[] = [];
  const add = (column: string, f: DimensionFilter) => {
    if (f.include.length) clauses.push(Prisma.sql`${Prisma.raw(column)} IN (${Prisma.join(f.include)})`);
    if (f.exclude.length) clauses.push(Prisma.sql`${Prisma.raw(column)} NOT IN (${Prisma.join(f.exclude)})`);
  };
  for (const name of dimensions) add(DIMENSION_COLUMN[name], filters[name]);
  return clauses;
}

/**
 * Time (and other) conditions joined with the filters' dimension conditions (those of
 * `dimensions`, for a table that keeps only some as columns).
 */
export function where(time: Prisma.Sql[], filters: Filters, dimensions: readonly Dimension[] = DIMENSIONS): Prisma.Sql {
  const clauses = [...time, ...dimensionClauses(filters, dimensions)];
  return clauses.length ? Prisma.join(clauses, ' AND ') : Prisma.sql`true`;
}

/** Whether the decision filter lets decisions of this kind through. */
export function admits(filters: Filters, decision: 'allowed' | 'blocked'): boolean {
  const { include, exclude } = filters.decision;
  return (include.length === 0 || include.includes(decision)) && !exclude.includes(decision);
}

/** The UTC date of an instant, for the daily tables' bucket column. */
export const day = (d: Date) => d.toISOString().slice(0, 10);

function rawSelect(s: Span, filters: Filters, accountId?: string): Prisma.Sql {
  const time = [Prisma.sql`occurred_at >= ${s.from}`, Prisma.sql`occurred_at < ${s.to}`];
  if (accountId !== undefined) time.push(Prisma.sql`account_id = ${accountId}`);
  return Prisma.sql`SELECT occurred_at AS ts, caller_region, provider, channel, decision,
      coalesce(reason, '') AS reason, coalesce(model, '') AS model, 1::bigint AS n
    FROM access_decisions WHERE ${where(time, filters)}`;
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
    ...parts.daily.map((s) => Prisma.sql`SELECT (bucket::timestamp AT TIME ZONE 'UTC') AS ts, caller_region, provider, channel,
        decision, reason, model, count AS n FROM decision_counts_daily
        WHERE ${where([Prisma.sql`bucket >= ${day(s.from)}::date`, Prisma.sql`bucket < ${day(s.to)}::date`], filters)}`),
    ...parts.hourly.map((s) => Prisma.sql`SELECT bucket AS ts, caller_region, provider, channel, decision, reason, model,
        count AS n FROM decision_counts_hourly
        WHERE ${where([Prisma.sql`bucket >= ${s.from}`, Prisma.sql`bucket < ${s.to}`], filters)}`),
    ...parts.raw.map((s) => rawSelect(s, filters)),
  ];
  return selects.length ? Prisma.join(selects, ' UNION ALL ') : Prisma.sql`SELECT NULL::timestamptz AS ts, NULL::char(2) AS caller_region,
      NULL::text AS provider, NULL::text AS channel, NULL::"Decision" AS decision, ''::text AS reason, ''::text AS model, 0::bigint AS n WHERE false`;
}

/**
 * One account's counts (ts, account_id, caller_region, provider, channel, decision, n):
 * whole UTC days from account_running_monthly (a day's count is the difference of its
 * running total and the day before's), partial days at the edges from raw rows.
 */
export function accountCounts(filters: Filters, accountId: string): Prisma.Sql {
  const months = monthDays(filters.from, filters.to).filter((m) => m.whole[1] >= m.whole[0]);
  const selects: Prisma.Sql[] = months.map((m) => Prisma.sql`
    SELECT ((${m.month}::date + d - 1)::timestamp AT TIME ZONE 'UTC') AS ts, r.account_id, r.caller_region, r.provider,
           r.channel, x.decision, x.n
      FROM account_running_monthly r
     CROSS JOIN LATERAL generate_series(${m.whole[0]}::int, ${m.whole[1]}::int) d
     CROSS JOIN LATERAL (VALUES ('allowed'::"Decision", r.allowed[d] - coalesce(r.allowed[d - 1], 0)),
                                ('blocked'::"Decision", r.blocked[d] - coalesce(r.blocked[d - 1], 0))) x (decision, n)
     WHERE ${where([Prisma.sql`r.month = ${m.month}::date`, Prisma.sql`r.account_id = ${accountId}`, Prisma.sql`x.n > 0`], filters)}`);
  for (const s of dayParts(filters.from, filters.to).raw) {
    selects.push(Prisma.sql`SELECT occurred_at AS ts, account_id, caller_region, provider, channel, decision, 1::bigint AS n
        FROM access_decisions WHERE ${where([Prisma.sql`occurred_at >= ${s.from}`, Prisma.sql`occurred_at < ${s.to}`, Prisma.sql`account_id = ${accountId}`], filters)}`);
  }
  return selects.length ? Prisma.join(selects, ' UNION ALL ') : Prisma.sql`SELECT NULL::timestamptz AS ts, NULL::text AS account_id,
      NULL::char(2) AS caller_region, NULL::text AS provider, NULL::text AS channel, NULL::"Decision" AS decision, 0::bigint AS n WHERE false`;
}
