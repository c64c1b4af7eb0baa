import type pg from 'pg';

import { copyOut } from '@/lib/db/copy-out';
import { Prisma } from '@/lib/generated/prisma/client';
import type { DecisionTally } from '@/lib/ingest/tally';

import { hasTwoRoutes } from './account-region-routes';
import { addBucketVectors, bucketNumberSql, type BucketRowParts, type BucketRowRead, type BucketTable, queryBucketCounts, readBucketRows, tallyBucketCounts, textList } from './bucket-vectors';
import { processCache } from './vector-row-cache';

// account_routes: an ordinal for every route (provider and channel) of each account and
// region pair that has used two routes or more (account_region_routes): the only pairs
// channel divergence can find. account_route_daily_vectors and
// account_route_hourly_vectors: those routes' allowed and blocked decisions per UTC day
// and per UTC hour, per chunk of route ordinals, in the bucket vectors' encoding
// (bucket-vectors.ts).
//
// Answers: every candidate route's counts in each day and hour of a range, from a few
// hundred rows decoded in Node (README, "Channel divergence"), instead of a running row
// and raw rows per route in SQL: 30,000 pairs took 0.6-2.5 s that way at 10M decisions.
// Not cumulative, so each bucket's counts are there as they are: a route's first block
// lies in the first bucket with any, and its allowed decisions after a threshold are those
// of the later buckets and part of the threshold's own.
//
// Costs: 10 bytes per route and day, and per route and hour, with decisions (~23 MB for
// the 2.3M route days of 10M decisions over 90 days where a third of the accounts use two
// routes). A batch adds its own counts from its tally (or, when that spilled, from the rows
// it stored, by id); a route that gets its ordinal in the batch (its pair has just reached
// two routes) is counted from its earlier batches' rows too.

const DAILY: BucketTable = { name: 'account_route_daily_vectors', unit: 'day' };
const HOURLY: BucketTable = { name: 'account_route_hourly_vectors', unit: 'hour' };

const KEY = 'account_id, caller_region, provider, channel';

/**
 * Gives an ordinal to each route of the pairs with two routes or more that has none (in
 * key order: the ordinals stay dense, and a pair's routes near each other). Returns the
 * first new ordinal, or null when there is none. Runs under the merge lock.
 */
async function assignOrdinals(client: pg.PoolClient): Promise<number | null> {
  const { rows } = await client.query<{ first: number | null }>(`
    WITH wanted AS (
      SELECT r.account_id, r.caller_region, split_part(x, '/', 1) AS provider, split_part(x, '/', 2) AS channel
        FROM account_region_routes r CROSS JOIN LATERAL unnest(r.routes) x
       WHERE ${hasTwoRoutes('r')}
    ), added AS (
      INSERT INTO account_routes (${KEY})
      SELECT * FROM wanted w
       WHERE NOT EXISTS (SELECT 1 FROM account_routes a WHERE (a.account_id, a.caller_region, a.provider, a.channel) = (w.account_id, w.caller_region, w.provider, w.channel))
       ORDER BY 1, 2, 3, 4
      RETURNING ordinal
    )
    SELECT min(ordinal) AS first FROM added`);
  return rows[0]!.first;
}

/**
 * Per bucket and route ordinal, the allowed and blocked decisions of the rows `where`
 * selects (access_decisions d joined to account_routes r), in bucket order.
 */
function countsSql(table: BucketTable, from: string, where: string): string {
  const bucket = bucketNumberSql(table, table.unit === 'hour' ? `date_trunc('hour', d.occurred_at)` : `(d.occurred_at AT TIME ZONE 'UTC')::date`);
  return `SELECT ${bucket} AS bucket, r.ordinal,
                 count(*) FILTER (WHERE d.decision = 'allowed')::int AS allowed,
                 count(*) FILTER (WHERE d.decision = 'blocked')::int AS blocked
            FROM ${from} WHERE ${where} GROUP BY 1, 2`;
}

async function addCounts(client: pg.PoolClient, parts: Array<{ from: string; where: string }>, params: unknown[]): Promise<void> {
  for (const table of [DAILY, HOURLY]) {
    const query = parts.map((p) => countsSql(table, p.from, p.where)).join(' UNION ALL ');
    await addBucketVectors(client, table, queryBucketCounts(client, `${query} ORDER BY 1`, params));
  }
}

/**
 * Adds a batch's decisions (those above `idFloor` with its id) to the vectors, after its
 * rows, its accounts (gw_accounts_part) and its pairs' routes (account_region_routes) are
 * stored: from its Node tally unless that spilled, and for the routes new to the table
 * also their earlier batches' rows. Runs under the merge lock.
 */
export async function writeBatchRouteVectors(client: pg.PoolClient, batch: { id: number; idFloor: string; tally: DecisionTally | null }): Promise<void> {
  const first = await assignOrdinals(client);
  const { id, idFloor, tally } = batch;
  if (tally === null) {
    // Spilled: part of the tally is in SQL, and its hours are in the hourly vectors only. From the batch's rows.
    await addCounts(client, [
      { from: `access_decisions d JOIN account_routes r USING (${KEY})`, where: `d.id > $1 AND d.batch_id = $2 AND r.ordinal < $3` },
      { from: `account_routes r JOIN access_decisions d USING (${KEY})`, where: `r.ordinal >= $3` },
    ], [idFloor, id, first ?? 2 ** 31 - 1]);
    return;
  }
  // From the tally: ~0.2 s for a 1M-row batch, against ~2.6 s grouping its stored rows twice.
  if (tally.size > 0) {
    const ordinals = await tallyOrdinals(client, tally);
    for (const [table, counts] of [[DAILY, tally.accountDaily], [HOURLY, tally.accountHourly]] as const) {
      await addBucketVectors(client, table, tallyBucketCounts(tally, counts, ordinals));
    }
  }
  if (first !== null) {
    await addCounts(client, [{ from: `account_routes r JOIN access_decisions d USING (${KEY})`, where: `r.ordinal >= $1 AND d.id <= $2` }], [first, idFloor]);
  }
}

/** Each tally account route's ordinal, -1 for one without (a pair with one route). */
async function tallyOrdinals(client: pg.PoolClient, tally: DecisionTally): Promise<Int32Array> {
  const ordinalOf = new Map<string, number>();
  await copyOut(client, `SELECT r.account_id, trim(r.caller_region), r.provider, r.channel, r.ordinal FROM account_routes r
                          WHERE r.account_id IN (SELECT id FROM gw_accounts_part)`,
  (f) => ordinalOf.set(routeKey(f[0]!, f[1]!, f[2]!, f[3]!), Number(f[4])));
  const { account, route } = tally.accountRoutes;
  const ordinals = new Int32Array(account.length);
  // Route text: region\tprovider\tchannel\tdecision, in COPY text (the values are slugs and codes: no escapes).
  const keys = tally.combos.routeTexts.map((text) => text.slice(0, text.lastIndexOf('\t')));
  for (let i = 0; i < account.length; i++) ordinals[i] = ordinalOf.get(`${account[i]}\t${keys[route[i]!]}`) ?? -1;
  return ordinals;
}

/** Every row from the stored decisions (into empty tables: see backfill.ts). */
export async function fillRouteVectorsFromDecisions(client: pg.PoolClient): Promise<void> {
  await assignOrdinals(client);
  await addCounts(client, [{ from: `access_decisions d JOIN account_routes r USING (${KEY})`, where: 'true' }], []);
}

// Reads.

/** The candidate routes by ordinal: whose pair each is, and its names. */
export interface RouteMap {
  /** Ordinals 1..size - 1 are looked up here (0 and gaps: undefined); size - 1 is the highest held. */
  size: number;
  accountId: string[];
  callerRegion: string[];
  provider: string[];
  channel: string[];
  /** The ordinal of each route by its key (account\tregion\tprovider\tchannel). */
  ordinalOf: Map<string, number>;
  /** Each route's pair (account and region), numbered from 0 in the order first seen; and how many. */
  pairOf: number[];
  pairIds: Map<string, number>;
  /** Each route's combination of region, provider and channel (a few dozen), for filters to test once each. */
  comboOf: number[];
  combos: Array<{ callerRegion: string; provider: string; channel: string }>;
  comboIds: Map<string, number>;
  /**
   * The first row held, with its version: rows are only ever added, so while it stands at
   * that version the rows held are the table's. Emptied and filled again (or another
   * database), it is gone or another. Not the last row: a read in an older snapshot than
   * the one that loaded it would not see it, and would throw the map away for nothing.
   */
  first: { ordinal: number; version: string } | null;
}

export const routeKey = (accountId: string, callerRegion: string, provider: string, channel: string) =>
  `${accountId}\t${callerRegion}\t${provider}\t${channel}`;

/** The same key in SQL, of the columns of `alias` (access_decisions or account_routes): one text a row rather than four. */
export const routeKeySql = (alias: string) =>
  `${alias}.account_id || E'\\t' || trim(${alias}.caller_region) || E'\\t' || ${alias}.provider || E'\\t' || ${alias}.channel`;

const emptyMap = (): RouteMap => ({ size: 1, accountId: [], callerRegion: [], provider: [], channel: [], ordinalOf: new Map(), pairOf: [], pairIds: new Map(), comboOf: [], combos: [], comboIds: new Map(), first: null });

const mapHolder = globalThis as { gatewatchRouteMap?: RouteMap };

/**
 * The route map, brought up to date: the routes added since this process last read it, or
 * every route when the first row it read is gone or another (the table was emptied, or
 * the process talks to another database).
 */
export async function routeMap(prisma: Prisma.TransactionClient): Promise<RouteMap> {
  let map = mapHolder.gatewatchRouteMap ?? emptyMap();
  const { first, size } = map;
  const rows = await prisma.$queryRaw<Array<{ ordinal: number; account_id: string; caller_region: string; provider: string; channel: string; version: string; kept: boolean }>>`
    WITH kept AS (SELECT coalesce((SELECT xmin::text = ${first?.version ?? ''} FROM account_routes WHERE ordinal = ${first?.ordinal ?? 0}), ${first === null}) AS kept)
    SELECT r.ordinal, r.account_id, trim(r.caller_region) AS caller_region, r.provider, r.channel, r.xmin::text AS version, kept.kept
      FROM kept JOIN account_routes r ON r.ordinal > CASE WHEN kept.kept THEN ${size - 1}::int ELSE 0 END
    UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, kept FROM kept
     ORDER BY 1 NULLS FIRST`;
  if (!rows[0]!.kept) map = emptyMap();
  for (const r of rows) {
    if (r.ordinal === null) continue;
    map.accountId[r.ordinal] = r.account_id;
    map.callerRegion[r.ordinal] = r.caller_region;
    map.provider[r.ordinal] = r.provider;
    map.channel[r.ordinal] = r.channel;
    map.ordinalOf.set(routeKey(r.account_id, r.caller_region, r.provider, r.channel), r.ordinal);
    const pair = `${r.account_id}\t${r.caller_region}`;
    let id = map.pairIds.get(pair);
    if (id === undefined) map.pairIds.set(pair, (id = map.pairIds.size));
    map.pairOf[r.ordinal] = id;
    const combo = `${r.caller_region}\t${r.provider}\t${r.channel}`;
    let c = map.comboIds.get(combo);
    if (c === undefined) map.comboIds.set(combo, (c = map.combos.push({ callerRegion: r.caller_region, provider: r.provider, channel: r.channel }) - 1));
    map.comboOf[r.ordinal] = c;
    map.size = Math.max(map.size, r.ordinal + 1);
    map.first ??= { ordinal: r.ordinal, version: r.version };
  }
  mapHolder.gatewatchRouteMap = map;
  return map;
}

/** The daily and hourly rows this process holds (exported for tests and benchmarks to look at, and clear). */
export const routeDailyCache = processCache<BucketRowParts>('account_route_daily_vectors', 64 * 2 ** 20);
export const routeHourlyCache = processCache<BucketRowParts>('account_route_hourly_vectors', 16 * 2 ** 20);

/** The rows of the UTC days and hours given (days and hours since 1970-01-01). */
export async function readRouteBuckets(prisma: Prisma.TransactionClient, days: number[], hours: number[]): Promise<{ days: BucketRowRead[]; hours: BucketRowRead[] }> {
  return {
    days: await readBucketRows(prisma, DAILY, routeDailyCache, days),
    hours: await readBucketRows(prisma, HOURLY, routeHourlyCache, hours),
  };
}

/**
 * One aggregate of each route's raw rows of one decision in a span of its own, in one
 * statement. The routes go as ordinals, looked up in account_routes, and the spans as
 * milliseconds, each list one text parameter (textList): seven array parameters of a few
 * hundred values, strings and dates among them, cost more to send than the probes took.
 */
export async function routeRawAggregates(
  tx: Prisma.TransactionClient,
  ordinals: number[],
  spanOf: (o: number) => { from: number; to: number },
  aggregate: Prisma.Sql,
  decision: string,
): Promise<Array<{ ordinal: number; value: Date | bigint | null }>> {
  if (ordinals.length === 0) return [];
  return tx.$queryRaw`
    SELECT v.ordinal, (SELECT ${aggregate} FROM access_decisions d
                        WHERE d.account_id = r.account_id AND d.caller_region = r.caller_region AND d.provider = r.provider
                          AND d.channel = r.channel AND d.decision = ${Prisma.raw(decision)}
                          AND d.occurred_at >= to_timestamp(v.lo / 1000.0) AND d.occurred_at < to_timestamp(v.hi / 1000.0)) AS value
      FROM unnest(${textList(ordinals)}::int[], ${textList(ordinals.map((o) => spanOf(o).from))}::bigint[],
                  ${textList(ordinals.map((o) => spanOf(o).to))}::bigint[]) v(ordinal, lo, hi)
      JOIN account_routes r ON r.ordinal = v.ordinal`;
}
