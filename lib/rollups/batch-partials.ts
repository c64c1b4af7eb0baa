import type pg from 'pg';

import { copyLines } from '@/lib/db/copy-in';
import { dayText } from '@/lib/db/copy-format';
import { copyOut } from '@/lib/db/copy-out';
import { ACCOUNT_ROUTE_SPACE, COMBO_SPACE, type DecisionTally, type SortedCounts } from '@/lib/ingest/tally';
import type { Decision } from '@/lib/ingest/validate';

import { addHourlyVectorsFromTally } from './account-hourly-vectors';
import { accountRouteOrdinals, copyAccountSpans } from './account-spans';
import { hourNumberSql } from './bucket-vectors';
import { accountRouteRest, comboRest, countLines, DECISION_COUNT_COLUMNS, hourText, routeRest } from './decision-counts';
import { QUARTER_MS } from './region-route-quarters';

// A batch's counts while they are in SQL rather than in the Node tally: temporary tables
// that fallback merges (merge.ts) tally into, and that the Node tally spills to when it
// grows large. Every derived table is then written from them (write-batch.ts):
//   gw_hourly_part          hourly counts, the hourly table's columns
//   gw_account_daily_part   per-account daily counts (bucket, account_id, route, decision, count)
//   gw_account_hourly_part  the same per hour, from merges in SQL (a spill writes the
//                           tally's hourly counts to their vectors at once)
//   gw_accounts_part        account spans, the accounts table's columns
//   gw_quarter_part         counts per quarter hour (its start) and route
//                           (region, provider, channel, decision)

export async function createPartials(client: pg.PoolClient): Promise<void> {
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS gw_hourly_part (
    bucket timestamptz NOT NULL, caller_region text NOT NULL, provider text NOT NULL, channel text NOT NULL,
    decision "Decision" NOT NULL, reason text NOT NULL, model text NOT NULL, count bigint NOT NULL
  ) ON COMMIT DROP`);
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS gw_account_daily_part (
    bucket date NOT NULL, account_id text NOT NULL, caller_region text NOT NULL, provider text NOT NULL,
    channel text NOT NULL, decision "Decision" NOT NULL, count bigint NOT NULL
  ) ON COMMIT DROP`);
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS gw_account_hourly_part (
    bucket timestamptz NOT NULL, account_id text NOT NULL, caller_region text NOT NULL, provider text NOT NULL,
    channel text NOT NULL, decision "Decision" NOT NULL, count bigint NOT NULL
  ) ON COMMIT DROP`);
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS gw_quarter_part (
    bucket timestamptz NOT NULL, caller_region text NOT NULL, provider text NOT NULL, channel text NOT NULL,
    decision "Decision" NOT NULL, count bigint NOT NULL
  ) ON COMMIT DROP`);
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS gw_accounts_part (
    id text NOT NULL, name text, name_seen_at timestamptz, first_seen timestamptz NOT NULL, last_seen timestamptz NOT NULL
  ) ON COMMIT DROP`);
}

const ACCOUNT_ROUTE_COLUMNS = 'bucket, account_id, caller_region, provider, channel, decision, count';
const QUARTER_COLUMNS = 'bucket, caller_region, provider, channel, decision, count';
const quarterText = (quarter: number) => new Date(quarter * QUARTER_MS).toISOString();

/** Moves the Node tally into the partial tables and empties it. */
export async function spillTally(client: pg.PoolClient, tally: DecisionTally): Promise<void> {
  await createPartials(client);
  await copyLines(client, `COPY gw_hourly_part (${DECISION_COUNT_COLUMNS}) FROM STDIN`,
    countLines(tally.hourly, COMBO_SPACE, hourText, comboRest(tally)));
  await copyLines(client, `COPY gw_account_daily_part (${ACCOUNT_ROUTE_COLUMNS}) FROM STDIN`,
    countLines(tally.accountDaily, ACCOUNT_ROUTE_SPACE, dayText, accountRouteRest(tally)));
  await copyLines(client, `COPY gw_quarter_part (${QUARTER_COLUMNS}) FROM STDIN`,
    countLines(tally.quarters, COMBO_SPACE, quarterText, routeRest(tally)));
  await copyAccountSpans(client, tally);
  // The hourly counts are written to their vectors now rather than spilled: nearly every
  // decision is its account's only one in its hour, so spilling them moved about a row per
  // decision through SQL (a 1 GiB upload ran at 0.64 of psql's speed that way, 0.71 this way).
  await addHourlyVectorsFromTally(client, tally, await accountRouteOrdinals(client, tally));
  tally.clear();
}

const micros = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::bigint`;

/**
 * Moves what fallback merges tallied in SQL into the Node tally and empties the partial
 * tables, so that the final write can still take the fast path (fresh buckets by COPY):
 * summing the partials in SQL and upserting cost ~3.5 s more per million rows.
 */
export async function absorbPartials(client: pg.PoolClient, tally: DecisionTally): Promise<void> {
  // Accounts first: the per-account counts attach to their spans.
  await copyOut(client, `SELECT id, name, ${micros('name_seen_at')}, ${micros('first_seen')}, ${micros('last_seen')}
                           FROM gw_accounts_part`,
    (f) => tally.addSpan(f[0]!, Number(f[3]), Number(f[4]), f[1] ?? undefined, f[2] === null ? -1 : Number(f[2])));
  const route = (f: Array<string | null>, at: number) => ({
    callerRegion: f[at]!, provider: f[at + 1]!, channel: f[at + 2]!, decision: f[at + 3] as Decision,
    reason: f[at + 4] || undefined, model: f[at + 5] || undefined,
  });
  let keys: number[] = [];
  let counts: number[] = [];
  const dayKeys: number[] = [];
  await copyOut(client,
    `SELECT ${hourNumberSql('bucket')}, caller_region, provider, channel, decision, reason, model, count
       FROM gw_hourly_part`,
    (f) => {
      const hour = Number(f[0]);
      const combo = tally.combos.idOf(route(f, 1));
      keys.push(hour * COMBO_SPACE + combo);
      dayKeys.push(Math.floor(hour / 24) * COMBO_SPACE + combo);
      counts.push(Number(f[7]));
    });
  tally.hourly.addCounts(keys, counts);
  tally.daily.addCounts(dayKeys, counts);
  const absorbAccountRoutes = async (table: string, bucket: string, into: SortedCounts) => {
    keys = [];
    counts = [];
    await copyOut(client, `SELECT ${bucket}, account_id, caller_region, provider, channel, decision, count FROM ${table}`, (f) => {
      keys.push(tally.accountRouteKey(Number(f[0]), f[1]!, { ...route(f, 2), reason: undefined, model: undefined }));
      counts.push(Number(f[6]));
    });
    into.addCounts(keys, counts);
  };
  keys = [];
  counts = [];
  await copyOut(client, `SELECT floor(extract(epoch FROM bucket) / ${QUARTER_MS / 1000})::bigint, ${QUARTER_COLUMNS.slice('bucket, '.length)} FROM gw_quarter_part`, (f) => {
    keys.push(Number(f[0]) * COMBO_SPACE + tally.combos.routeOf[tally.combos.idOf({ ...route(f, 1), reason: undefined, model: undefined })]!);
    counts.push(Number(f[5]));
  });
  tally.quarters.addCounts(keys, counts);
  await absorbAccountRoutes('gw_account_daily_part', `bucket - DATE '1970-01-01'`, tally.accountDaily);
  await absorbAccountRoutes('gw_account_hourly_part', hourNumberSql('bucket'), tally.accountHourly);
  await client.query('TRUNCATE gw_hourly_part, gw_account_daily_part, gw_account_hourly_part, gw_accounts_part, gw_quarter_part');
}
