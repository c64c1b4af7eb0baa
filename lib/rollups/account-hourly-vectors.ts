import type pg from 'pg';

import { type Span, unitsTouched } from '@/lib/analytics/range';
import { Prisma } from '@/lib/generated/prisma/client';
import type { DecisionTally } from '@/lib/ingest/tally';

import { addEntries, VECTOR_CHUNK } from './account-running-vectors';
import { accountOrdinals, accountsTableSql } from './account-spans';
import { addBucketVectors, type BucketCount, bucketNumberSql, type BucketRowParts, bucketRowsRead, type BucketTable, queryBucketCounts, readBucketRows, tallyBucketCounts } from './bucket-vectors';
import { processCache, type VersionedRow } from './vector-row-cache';

// account_hourly_vectors: every account's allowed and blocked decisions in each UTC hour,
// every route together, per chunk of account ordinals, in the running vectors' entry
// encoding (an account's index in the chunk, its allowed and its blocked decisions).
// The running vectors answer whole UTC days; a range that ends now also holds the hours of
// a partial day at each end, up to a day of every account's decisions, which before this
// table came from raw rows hashed by account (~70 ms for a day at 10M rows). Read from
// here, an hour costs its active accounts' 10 bytes each, and only the minutes of the
// range's first and last partial hours are left to raw rows (README, "Edges by the hour").
//
// Not cumulative, unlike the running vectors: a row holds one hour's decisions, so a
// batch only adds to the rows of its own hours (a new hour is a plain COPY), and an hour's
// row is small (the accounts active in it). Every route together only: filters on region,
// provider or channel keep the day-resolution path.
//
// Costs: ~10 bytes per account and hour with decisions (~100 MB for 10M decisions over 90
// days, where nearly every decision is its account's only one in its hour).

const HOUR_MS = 3_600_000;

const TABLE: BucketTable = { name: 'account_hourly_vectors', unit: 'hour' };

/** Adds accounts' hourly counts (bucket: hours since 1970-01-01 UTC; ordinal: the account's) to the table. */
export const addHourlyVectors = (client: pg.PoolClient, counts: Iterable<BucketCount> | AsyncIterable<BucketCount>) =>
  addBucketVectors(client, TABLE, counts);

/**
 * Adds the tally's hourly counts, given each account route's ordinal (routeOrdinals in
 * account-spans.ts): in key order, hour by hour.
 */
export function addHourlyVectorsFromTally(client: pg.PoolClient, tally: DecisionTally, ordinals: Int32Array): Promise<void> {
  return addHourlyVectors(client, tallyBucketCounts(tally, tally.accountHourly, ordinals));
}

/**
 * Adds the hourly counts a query returns (columns bucket, hours since 1970; ordinal;
 * allowed; blocked; in hour order). Runs inside the caller's transaction.
 */
export const addHourlyVectorsFromQuery = (client: pg.PoolClient, query: string) => addHourlyVectors(client, queryBucketCounts(client, query));

/** The hourly counts of a relation with (bucket timestamptz at whole hours, account_id, decision, count) columns. */
export function hourlyCountsSql(source: string): string {
  return `SELECT ${bucketNumberSql(TABLE, 'x.bucket')} AS bucket, a.ordinal,
                 coalesce(sum(x.count) FILTER (WHERE x.decision = 'allowed'), 0)::int AS allowed,
                 coalesce(sum(x.count) FILTER (WHERE x.decision = 'blocked'), 0)::int AS blocked
            FROM ${source} x JOIN accounts a ON a.id = x.account_id
           GROUP BY 1, 2 ORDER BY 1`;
}

/** Every row from the stored decisions (into an empty table: see backfill.ts). */
export function fillHourlyVectorsFromDecisions(client: pg.PoolClient): Promise<void> {
  return addHourlyVectorsFromQuery(client, hourlyCountsSql(`(
    SELECT date_trunc('hour', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, account_id, decision, count(*) AS count
      FROM access_decisions GROUP BY 1, 2, 3)`));
}

// Reads.

/** Per-account counts by ordinal, added to by readHourlyTotals. */
export interface OrdinalCounts {
  allowed: Float64Array;
  blocked: Float64Array;
}

/** The hours (hours since 1970-01-01) that spans touch: their whole hours, or the hour of a partial one. */
const hoursOf = (spans: Span[]) => unitsTouched(spans, HOUR_MS);

/**
 * The rows of the hours that `sure` spans (whole hours) and of those that `partial` spans
 * touch (partial hours, whose decisions may or may not fall within the range), each
 * marked with which it is.
 */
export async function readHourlyVectors(
  prisma: Prisma.TransactionClient,
  spans: { sure: Span[]; partial: Span[] },
): Promise<HourlyRow[]> {
  const partial = new Set(hoursOf(spans.partial));
  const rows = await readBucketRows(prisma, TABLE, hourlyVectorCache, [...hoursOf(spans.sure), ...partial]);
  return rows.map((r) => ({ partial: partial.has(r.bucket), chunk: r.chunk, counts: r.counts }));
}

/** A row of account_hourly_vectors as the readers add it up. */
export interface HourlyRow {
  partial: boolean;
  chunk: number;
  counts: Uint8Array;
}

/** The hourly vector rows this process holds (exported for tests and benchmarks to look at, and clear). */
export const hourlyVectorCache = processCache<BucketRowParts>('account_hourly_vectors', 16 * 2 ** 20);

/** Adds read rows' entries to the sure or partial counts (arrays large enough for every row's chunk). */
export function addHourlyRows(rows: HourlyRow[], sure: OrdinalCounts, partial: OrdinalCounts): void {
  for (const r of rows) {
    const into = r.partial ? partial : sure;
    addEntries(r.counts, into.allowed, into.blocked, r.chunk * VECTOR_CHUNK, 1);
  }
}

/**
 * How many accounts had decisions of the admitted kinds in a span without a whole UTC day,
 * every route together: those with any in its whole hours' vectors, and those of its
 * partial hours' raw rows (`rawWhere`) not among them. One statement, so one snapshot: a
 * batch committed between two reads would be counted in the partial hours only. The raw
 * rows' accounts come as ids, with which accounts table they are of, and get their
 * ordinals from those this process has looked up (accountOrdinals): an id keeps its
 * ordinal as long as its table, so any later snapshot gives the same. Looked up in SQL
 * each time they cost an index probe each (a join hashed all 90,000 accounts).
 */
export async function countAccountsInHours(
  prisma: Prisma.TransactionClient,
  parts: { hourly: Span[]; raw: Span[] },
  admitted: { allowed: boolean; blocked: boolean },
  rawWhere: (span: Span) => Prisma.Sql,
): Promise<number> {
  const read = bucketRowsRead(TABLE, hourlyVectorCache, hoursOf(parts.hourly));
  const raw = parts.raw.length
    ? Prisma.sql`SELECT NULL::int, NULL::int, (SELECT ${Prisma.raw(accountsTableSql)}), NULL::text, account_id
        FROM (SELECT DISTINCT account_id FROM (${Prisma.join(parts.raw.map((s) => Prisma.sql`SELECT account_id FROM access_decisions WHERE ${rawWhere(s)}`), ' UNION ALL ')}) x) d`
    : Prisma.sql`SELECT NULL::int, NULL::int, NULL::text, NULL::text, NULL::text WHERE false`;
  const rows = await prisma.$queryRaw<Array<BucketRowParts & VersionedRow & { account_id: string | null }>>`
    SELECT ${read.columns}, NULL::text AS account_id FROM ${read.from}
    UNION ALL ${raw}`;
  const vectors = rows.flatMap((r) => (r.account_id === null ? [{ ...read.row(r), partial: false }] : []));
  // The edge rows carry their accounts table in the version column.
  const edges = rows.filter((r) => r.account_id !== null);
  const edgeIds = edges.map((r) => r.account_id!);
  const ordinalOf = edges.length ? await accountOrdinals(prisma, edges[0]!.version, edgeIds) : new Map<string, number>();
  const size = Math.max(0, ...vectors.map((r) => (r.chunk + 1) * VECTOR_CHUNK));
  const counts: OrdinalCounts = { allowed: new Float64Array(size), blocked: new Float64Array(size) };
  addHourlyRows(vectors, counts, counts);
  const seen = new Uint8Array(size);
  let n = 0;
  for (let i = 0; i < size; i++) {
    if ((admitted.allowed ? counts.allowed[i]! : 0) + (admitted.blocked ? counts.blocked[i]! : 0) > 0) {
      seen[i] = 1;
      n++;
    }
  }
  for (const id of edgeIds) {
    const ordinal = ordinalOf.get(id);
    // Every edge account has an ordinal; were one missing (its table emptied and filled
    // again since the rows were read), it counts as not among the hours'.
    if (ordinal === undefined || seen[ordinal] !== 1) n++;
  }
  return n;
}
