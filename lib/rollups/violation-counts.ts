import type pg from 'pg';

import { where } from '@/lib/analytics/filter-sql';
import type { Filters } from '@/lib/analytics/filters';
import type { MonthDays, Span } from '@/lib/analytics/range';
import { Prisma } from '@/lib/generated/prisma/client';

import { runningRowsOf, runningRowsSql, upsertRunningSql } from './account-running-monthly';

// Counts of the violations (decision_violations), so that the violation headline, the
// Violations view's chart and its per-account table read whole days and hours from a few
// rows instead of every violation (482k for 90 days of the benchmark's 10M decisions:
// 135 ms for the headline, 224 for the table, 166 for the chart):
//
// - account_violations_monthly: per UTC month and account route, the running totals day
//   by day, shaped as account_running_monthly: allowed[d] counts the route's decisions of
//   days 1..d allowed while the region was unsupported, blocked[d] those blocked while it
//   was supported. Whole days of any account cost two subscripts. ~26k rows for 90 days
//   of the benchmark.
// - violation_counts_hourly: per UTC hour, region, provider, channel and decision, the
//   count: the chart per hour, day or week in any zone whose offsets are whole hours.
//
// Kept with the violations, in the same transaction, under the merge lock: a batch adds
// the counts of the violations it just recorded; a policy change rebuilds those of its
// provider and region pairs from their violations (every key holds its pair, so no other
// row changes).

const MONTHLY = 'account_violations_monthly';
const HOURLY = 'violation_counts_hourly';
const HOURLY_KEY = 'bucket, caller_region, provider, channel, decision';

/** Per-day violation counts per account route of the violations matching `condition`. */
const dailyViolations = (condition: string) => `(
  SELECT (occurred_at AT TIME ZONE 'UTC')::date AS bucket, account_id, caller_region, provider, channel, decision, count(*) AS count
    FROM decision_violations WHERE ${condition} GROUP BY 1, 2, 3, 4, 5, 6) daily`;

const hourlyViolations = (condition: string) => `
  SELECT date_trunc('hour', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, caller_region, provider, channel, decision, count(*)
    FROM decision_violations WHERE ${condition} GROUP BY 1, 2, 3, 4, 5`;

/**
 * Adds the counts of the violations recorded for a batch: with the merge lock held no
 * other batch inserts, so they are exactly those above the id floor.
 */
export async function addBatchViolationCounts(client: pg.PoolClient, idFloor: string): Promise<void> {
  const batch = 'decision_id > $1';
  await client.query(upsertRunningSql(MONTHLY, runningRowsSql(dailyViolations(batch))), [idFloor]);
  await client.query(`INSERT INTO ${HOURLY} AS t (${HOURLY_KEY}, count) ${hourlyViolations(batch)} ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (${HOURLY_KEY}) DO UPDATE SET count = t.count + excluded.count`, [idFloor]);
}

/** Builds the counts of these provider and region pairs again from their violations (after decision_violations rebuilt them). */
export async function rebuildViolationCounts(client: pg.PoolClient, providers: string[], regions: string[]): Promise<void> {
  const pairs = `(provider, caller_region) IN (SELECT * FROM unnest($1::text[], $2::text[]))`;
  for (const table of [MONTHLY, HOURLY]) await client.query(`DELETE FROM ${table} WHERE ${pairs}`, [providers, regions]);
  await fillViolationCounts(client, pairs, [providers, regions]);
}

/** The counts of the stored violations matching `condition` (every one by default), into tables that hold none of them. */
export async function fillViolationCounts(client: pg.PoolClient, condition = 'true', params: unknown[] = []): Promise<void> {
  await client.query(`INSERT INTO ${MONTHLY} ${runningRowsSql(dailyViolations(condition))}`, params);
  await client.query(`INSERT INTO ${HOURLY} (${HOURLY_KEY}, count) ${hourlyViolations(condition)}`, params);
}

// Reads ---------------------------------------------------------------------------------

/** FROM and WHERE of the violations' running rows `m` (see runningRowsIn). */
export function violationRunningRowsIn(filters: Filters, months: MonthDays[], extra: Prisma.Sql[] = []): Prisma.Sql {
  return runningRowsOf(MONTHLY, filters, months, extra);
}

/** Violations per whole UTC hour of a span with the filters, as the relation (ts, decision, n). */
export function hourlyViolationsSelect(s: Span, filters: Filters): Prisma.Sql {
  return Prisma.sql`SELECT bucket AS ts, decision, count AS n FROM ${Prisma.raw(HOURLY)}
     WHERE ${where([Prisma.sql`bucket >= ${s.from}`, Prisma.sql`bucket < ${s.to}`], filters)}`;
}
