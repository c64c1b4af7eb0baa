import type pg from 'pg';

import { where } from '@/lib/analytics/filter-sql';
import type { Filters } from '@/lib/analytics/filters';
import type { MonthDays, Span } from '@/lib/analytics/range';
import { Prisma } from '@/lib/generated/prisma/client';

import { runningRowsOf, runningRowsSql, upsertRunningSql } from './account-running-monthly';
import { addBucketVectors, type BucketCount, bucketNumberSql, type BucketRowParts, type BucketRowRead, type BucketTable, queryBucketCounts, readBucketRows } from './bucket-vectors';
import { assignRegionRouteOrdinals, type QuarterCounts, quarterCountsOf, quarterCountsSql } from './region-route-quarters';
import { processCache } from './vector-row-cache';

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
// - account_violation_daily_vectors and account_violation_hourly_vectors: per UTC day, and
//   per UTC hour, and chunk of account ordinals, every account's violations of each kind,
//   every route together, in the bucket vectors' encoding (bucket-vectors.ts): the
//   per-account table ranks every account in Node from a row per day and chunk (~1,000
//   rows, 4 MB, for 90 days of the benchmark, held by version between requests) and the
//   hours of the partial days at the range's ends, instead of grouping 52,000 running
//   rows by account in SQL (README, "Violations by account"). Hours, because the edge days'
//   violations looked up by account cost more than all the days' vectors (30 of 45 ms).
// - violation_quarter_vectors: per UTC hour, each region route's violations of each kind in
//   each quarter of the hour, encoded as region_route_quarter_vectors (region-route-quarters.ts):
//   the chart per hour in a zone such as Asia/Kolkata, whose hours straddle two UTC hours
//   (30 days from every violation: ~200 ms at 10M decisions).
//
// Kept with the violations, in the same transaction, under the merge lock: a batch adds
// the counts of the violations it just recorded; a policy change takes away those of its
// provider and region pairs' violations and adds them again once they are derived anew
// (the monthly and hourly rows by key, as every key holds its pair; the vectors, where an
// account's pairs share an entry, by subtracting).

const MONTHLY = 'account_violations_monthly';
const HOURLY = 'violation_counts_hourly';
const HOURLY_KEY = 'bucket, caller_region, provider, channel, decision';
const VECTORS: Record<BucketTable['unit'], BucketTable> = {
  day: { name: 'account_violation_daily_vectors', unit: 'day' },
  hour: { name: 'account_violation_hourly_vectors', unit: 'hour' },
};
const QUARTERS: BucketTable = { name: 'violation_quarter_vectors', unit: 'hour' };

/**
 * Per UTC hour (hours since 1970-01-01) and account ordinal, the violations matching
 * `condition` of each kind, times `sign`, in hour order (the bucket counts
 * queryBucketCounts reads). Grouped by the hour as a timestamp and numbered after: the
 * epoch's numeric arithmetic on every violation cost more than the grouping.
 */
const hourlyVectorCounts = (condition: string, sign: 1 | -1) => `
  SELECT ${bucketNumberSql(VECTORS.hour, 'v.hour')} AS bucket, a.ordinal, (${sign} * v.allowed)::int AS allowed, (${sign} * v.blocked)::int AS blocked
    FROM (SELECT date_trunc('hour', occurred_at AT TIME ZONE 'UTC') AS hour, account_id,
                 count(*) FILTER (WHERE decision = 'allowed') AS allowed, count(*) FILTER (WHERE decision = 'blocked') AS blocked
            FROM decision_violations WHERE ${condition} GROUP BY 1, 2) v
    JOIN accounts a ON a.id = v.account_id
   ORDER BY v.hour`;

/**
 * The vector counts of the violations matching `condition`, times `sign`, read and held
 * until written (writeVectorCounts): per UTC hour and account ordinal (the days' are summed
 * from them, a day's bucket summing an ordinal's hours, rather than grouping the violations
 * twice: ~200 ms of a 1M-row batch with 86,000 violations), and per hour and region route
 * quarter. Held as 16 bytes a count. A violation's route has its quarter ordinal from its
 * decision's batch (or from a refill of the catalogue, which refills these too:
 * backfill.ts); one missing is given one rather than its counts dropped.
 */
export interface VectorCounts {
  hours: BucketCounts[];
  quarters: BucketCounts[];
}

async function heldCounts(client: pg.PoolClient, query: string, params: unknown[]): Promise<BucketCounts> {
  const held = new BucketCounts();
  for await (const c of queryBucketCounts(client, query, params)) held.push(c);
  return held;
}

const violationsOf = (condition: string, sign: 1 | -1) =>
  `(SELECT occurred_at AS at, caller_region, provider, channel, decision, ${sign} AS n FROM decision_violations WHERE ${condition})`;

async function quarterCounts(client: pg.PoolClient, condition: string, params: unknown[], sign: 1 | -1): Promise<BucketCounts> {
  if (sign === 1) await assignRegionRouteOrdinals(client, violationsOf(condition, sign), params);
  return heldCounts(client, quarterCountsSql(violationsOf(condition, sign)), params);
}

async function readVectorCounts(client: pg.PoolClient, condition: string, params: unknown[], sign: 1 | -1): Promise<VectorCounts> {
  return {
    hours: [await heldCounts(client, hourlyVectorCounts(condition, sign), params)],
    quarters: [await quarterCounts(client, condition, params, sign)],
  };
}

/**
 * Adds counts to the vectors, every set given summed, so that each row is written once: a
 * policy change takes away its pairs' old violations and adds the new ones in one write
 * per row (each was rewritten twice, once for each).
 */
async function writeVectorCounts(client: pg.PoolClient, counts: VectorCounts): Promise<void> {
  await addBucketVectors(client, VECTORS.hour, BucketCounts.merged(counts.hours, (hour) => hour));
  await addBucketVectors(client, VECTORS.day, BucketCounts.merged(counts.hours, (hour) => Math.floor(hour / 24)));
  await addBucketVectors(client, QUARTERS, BucketCounts.merged(counts.quarters, (hour) => hour));
}

const addVectorCounts = async (client: pg.PoolClient, condition: string, params: unknown[]) =>
  writeVectorCounts(client, await readVectorCounts(client, condition, params, 1));

/** The quarter vectors alone from every stored violation (into an empty table: see backfill.ts). */
export const fillViolationQuarterVectors = async (client: pg.PoolClient) =>
  writeVectorCounts(client, { hours: [], quarters: [await quarterCounts(client, 'true', [], 1)] });

/** Bucket counts held as rows of four in an Int32Array that grows: a plain object per count would take several times the memory. */
class BucketCounts {
  private data = new Int32Array(4096);
  private length = 0;

  push(c: BucketCount): void {
    if (this.length + 4 > this.data.length) {
      const more = new Int32Array(this.data.length * 2);
      more.set(this.data);
      this.data = more;
    }
    this.data.set([c.bucket, c.ordinal, c.allowed, c.blocked], this.length);
    this.length += 4;
  }

  /**
   * The counts of several lists, each in bucket order, in bucket order (what addBucketVectors
   * writes once a bucket), their buckets mapped by `bucketOf`, which keeps that order.
   */
  static *merged(lists: BucketCounts[], bucketOf: (bucket: number) => number): Generator<BucketCount> {
    const at = lists.map(() => 0);
    for (;;) {
      let next = -1;
      for (let l = 0; l < lists.length; l++) {
        if (at[l]! < lists[l]!.length && (next < 0 || lists[l]!.data[at[l]!]! < lists[next]!.data[at[next]!]!)) next = l;
      }
      if (next < 0) return;
      const { data } = lists[next]!;
      const i = at[next]!;
      at[next] = i + 4;
      yield { bucket: bucketOf(data[i]!), ordinal: data[i + 1]!, allowed: data[i + 2]!, blocked: data[i + 3]! };
    }
  }
}

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
  await addVectorCounts(client, batch, [idFloor]);
}

/**
 * Takes away the counts of the stored violations matching `condition`, a set of whole
 * provider and region pairs (their monthly and hourly rows hold nothing else), before
 * decision_violations derives them again: the monthly and hourly rows go at once, and the
 * vectors' share comes back, to be written with the new ones (fillViolationCounts).
 */
export async function withdrawViolationCounts(client: pg.PoolClient, condition: string, params: unknown[]): Promise<VectorCounts> {
  for (const table of [MONTHLY, HOURLY]) await client.query(`DELETE FROM ${table} WHERE ${condition}`, params);
  return readVectorCounts(client, condition, params, -1);
}

/**
 * Adds the counts of the stored violations matching `condition` (every one by default) to
 * tables that hold none of them, with the vector counts `withdrawn` of the violations they
 * replace.
 */
export async function fillViolationCounts(client: pg.PoolClient, condition = 'true', params: unknown[] = [], withdrawn?: VectorCounts): Promise<void> {
  await client.query(`INSERT INTO ${MONTHLY} ${runningRowsSql(dailyViolations(condition))}`, params);
  await client.query(`INSERT INTO ${HOURLY} (${HOURLY_KEY}, count) ${hourlyViolations(condition)}`, params);
  const added = await readVectorCounts(client, condition, params, 1);
  await writeVectorCounts(client, withdrawn
    ? { hours: [...withdrawn.hours, ...added.hours], quarters: [...withdrawn.quarters, ...added.quarters] }
    : added);
}

/** The vectors alone from every stored violation (into empty tables: see backfill.ts). */
export const fillViolationVectorsFromViolations = (client: pg.PoolClient) => addVectorCounts(client, 'true', []);

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

/** The vector rows this process holds (exported for tests and benchmarks to look at, and clear). */
export const violationVectorCaches = {
  day: processCache<BucketRowParts>(VECTORS.day.name, 16 * 2 ** 20),
  hour: processCache<BucketRowParts>(VECTORS.hour.name, 4 * 2 ** 20),
};

const quarterCache = processCache<BucketRowParts>(QUARTERS.name, 16 * 2 ** 20);

/** The filters' violations in each quarter of these UTC hours (since 1970-01-01, ascending), in the caller's snapshot. */
export const violationQuarterCounts = (tx: Prisma.TransactionClient, hours: number[], filters: Filters): Promise<QuarterCounts> =>
  quarterCountsOf(tx, QUARTERS, quarterCache, hours, filters);

/** The vector rows of these days or hours (since 1970-01-01 UTC): every account's violations in each, by ordinal. */
export const readViolationVectors = (prisma: Prisma.TransactionClient, unit: BucketTable['unit'], buckets: number[]): Promise<BucketRowRead[]> =>
  readBucketRows(prisma, VECTORS[unit], violationVectorCaches[unit], buckets);
