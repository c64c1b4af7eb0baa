import type pg from 'pg';

import { admits, where } from '@/lib/analytics/filter-sql';
import { constrainedDimensions, type Filters } from '@/lib/analytics/filters';
import { Prisma } from '@/lib/generated/prisma/client';
import { COMBO_SPACE, type DecisionTally, routeParts } from '@/lib/ingest/tally';

import { ENTRY_BYTES, VECTOR_CHUNK } from './account-running-vectors';
import { addBucketVectors, type BucketCount, type BucketRowParts, type BucketTable, queryBucketCounts, readBucketRows, textList } from './bucket-vectors';
import { processCache, type VectorRowCache } from './vector-row-cache';

// region_routes: an ordinal for every combination of region, provider and channel that
// decisions came in on (a few hundred). region_route_quarter_vectors: per UTC hour, each
// of those routes' allowed and blocked decisions in each quarter of the hour, in the
// bucket vectors' encoding (bucket-vectors.ts) over entry ordinals route * 4 + quarter.
//
// Answers: hour buckets of a zone whose offset is not a whole number of hours (Asia/Kolkata
// +05:30, Asia/Kathmandu +05:45, Australia/Adelaide +09:30/+10:30), each of which straddles
// two UTC hours that the hourly counts cannot split. Every such bucket is whole quarters of
// UTC hours, so a range's whole hours come from one row each, filtered by route in Node,
// instead of every raw decision (7 days in Kolkata time at 10M decisions: ~300 ms over raw
// rows, 30 days ~1.35 s).
//
// Costs: 10 bytes per route and quarter with decisions, one row per hour (~8 KB an hour at
// 10M decisions over 90 days, ~17 MB in all). A batch adds its tally's counts (kept per
// quarter and route: the tally's `quarters`), or what it spilled to SQL (gw_quarter_part).

const TABLE: BucketTable = { name: 'region_route_quarter_vectors', unit: 'hour' };
const QUARTERS_PER_HOUR = 4;
export const QUARTER_MS = 900_000;

/**
 * Gives an ordinal to each route of `source` (a relation with caller_region, provider and
 * channel) that has none, in key order. Ordinals given are never changed: both quarter
 * vector tables are numbered by them.
 */
export async function assignRegionRouteOrdinals(client: pg.PoolClient, source: string, params: unknown[] = []): Promise<void> {
  await client.query(`
    INSERT INTO region_routes (caller_region, provider, channel)
    SELECT DISTINCT s.caller_region, s.provider, s.channel FROM ${source} s
     WHERE NOT EXISTS (SELECT 1 FROM region_routes r WHERE (r.caller_region, r.provider, r.channel) = (s.caller_region, s.provider, s.channel))
     ORDER BY 1, 2, 3`, params);
}

/**
 * Per hour and entry ordinal (route * 4 + quarter), the allowed and blocked decisions of
 * `source`, a relation of (at timestamptz, caller_region, provider, channel, decision, n)
 * whose routes have ordinals, in hour order: the bucket counts of a table of quarter vectors.
 */
export function quarterCountsSql(source: string): string {
  return `SELECT (q / ${QUARTERS_PER_HOUR})::int AS bucket, (r.ordinal * ${QUARTERS_PER_HOUR} + q % ${QUARTERS_PER_HOUR})::int AS ordinal,
                 coalesce(sum(n) FILTER (WHERE decision = 'allowed'), 0)::int AS allowed,
                 coalesce(sum(n) FILTER (WHERE decision = 'blocked'), 0)::int AS blocked
            FROM (SELECT floor(extract(epoch FROM at) / ${QUARTER_MS / 1000})::bigint AS q, caller_region, provider, channel, decision, n FROM ${source} src) s
            JOIN region_routes r USING (caller_region, provider, channel)
           GROUP BY 1, 2 ORDER BY 1`;
}

async function addFromQuery(client: pg.PoolClient, source: string): Promise<void> {
  await assignRegionRouteOrdinals(client, source);
  await addBucketVectors(client, TABLE, queryBucketCounts(client, quarterCountsSql(source)));
}

/** Adds a batch's counts from its Node tally. Runs under the merge lock. */
export async function addQuarterCountsFromTally(client: pg.PoolClient, tally: DecisionTally): Promise<void> {
  const { keys, counts } = tally.quarters;
  if (keys.length === 0) return;
  const routes = tally.combos.routeTexts.map(routeParts);
  // Only the routes with counts: a route seen only in a segment undone (rows refused as
  // duplicates) stays in the tally's list without a decision stored.
  const counted = [...new Set(Array.from(keys, (key) => key - Math.floor(key / COMBO_SPACE) * COMBO_SPACE))].map((route) => routes[route]!);
  await assignRegionRouteOrdinals(client, '(SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS u (caller_region, provider, channel))',
    [counted.map((r) => r.callerRegion), counted.map((r) => r.provider), counted.map((r) => r.channel)]);
  const { rows } = await client.query<{ key: string; ordinal: number }>(
    `SELECT trim(caller_region) || E'\\t' || provider || E'\\t' || channel AS key, ordinal FROM region_routes`);
  const ordinalOf = new Map(rows.map((r) => [r.key, r.ordinal]));
  const ordinals = routes.map((r) => ordinalOf.get(`${r.callerRegion}\t${r.provider}\t${r.channel}`)!);
  const blocked = routes.map((r) => r.decision === 'blocked');
  function* bucketCounts(): Generator<BucketCount> {
    for (let i = 0; i < keys.length; i++) {
      const quarter = Math.floor(keys[i]! / COMBO_SPACE);
      const route = keys[i]! - quarter * COMBO_SPACE;
      const bucket = Math.floor(quarter / QUARTERS_PER_HOUR);
      const n = counts[i]!;
      yield { bucket, ordinal: ordinals[route]! * QUARTERS_PER_HOUR + (quarter - bucket * QUARTERS_PER_HOUR), allowed: blocked[route] ? 0 : n, blocked: blocked[route] ? n : 0 };
    }
  }
  await addBucketVectors(client, TABLE, bucketCounts());
}

/** Adds the quarter counts a batch spilled or merged in SQL (gw_quarter_part, batch-partials.ts). Runs under the merge lock. */
export const addQuarterCountsFromPartials = (client: pg.PoolClient): Promise<void> =>
  addFromQuery(client, '(SELECT bucket AS at, caller_region, provider, channel, decision, count AS n FROM gw_quarter_part)');

/** Both tables from the stored decisions (into empty tables: see backfill.ts). */
export const fillQuarterVectorsFromDecisions = (client: pg.PoolClient): Promise<void> =>
  addFromQuery(client, '(SELECT occurred_at AS at, caller_region, provider, channel, decision, 1 AS n FROM access_decisions)');

// Reads.

/** The rows this process holds (exported for tests to look at, and clear). */
export const quarterVectorCache = processCache<BucketRowParts>(TABLE.name, 32 * 2 ** 20);

/** Allowed and blocked decisions per UTC quarter hour that has any, from its start (ms since 1970). */
export interface QuarterCounts {
  at: number[];
  allowed: number[];
  blocked: number[];
}

/** Quarter counts as a relation (ts timestamptz, allowed bigint, blocked bigint), sent as text lists (see textList). */
export const quarterCountsRelation = (q: QuarterCounts): Prisma.Sql => Prisma.sql`
  SELECT to_timestamp(unnest(${textList(q.at.map((t) => t / 1000))}::bigint[])) AS ts,
         unnest(${textList(q.allowed)}::bigint[]) AS allowed, unnest(${textList(q.blocked)}::bigint[]) AS blocked`;

/**
 * The filters' decisions in each quarter of the UTC hours given (hours since 1970-01-01, in
 * ascending order). Reads up to two statements: run it in a snapshot (inSnapshot) with what else
 * the answer is made of.
 */
export const quarterCounts = (tx: Prisma.TransactionClient, buckets: number[], filters: Filters): Promise<QuarterCounts> =>
  quarterCountsOf(tx, TABLE, quarterVectorCache, buckets, filters);

/**
 * A row's allowed and blocked decisions per quarter over every route, kept with the row's
 * entries while the row cache holds them (the same buffer while its version stands): the
 * unfiltered chart then adds 8 numbers a row instead of decoding ~400 entries.
 */
const totalsOf = new WeakMap<Uint8Array, Float64Array>();
function rowTotals(counts: Uint8Array): Float64Array {
  let totals = totalsOf.get(counts);
  if (totals) return totals;
  totals = new Float64Array(2 * QUARTERS_PER_HOUR);
  const view = new DataView(counts.buffer, counts.byteOffset, counts.length);
  // Chunks start at multiples of 4, so an entry's index in its chunk gives its quarter.
  for (let o = 0; o < counts.length; o += ENTRY_BYTES) {
    const q = view.getUint16(o) % QUARTERS_PER_HOUR;
    totals[q]! += view.getInt32(o + 2);
    totals[QUARTERS_PER_HOUR + q]! += view.getInt32(o + 6);
  }
  totalsOf.set(counts, totals);
  return totals;
}

/** The same from any table of quarter vectors over region route ordinals (the violations' too: violation-counts.ts). */
export async function quarterCountsOf(
  tx: Prisma.TransactionClient,
  table: BucketTable,
  cache: VectorRowCache<BucketRowParts>,
  buckets: number[],
  filters: Filters,
): Promise<QuarterCounts> {
  const first = buckets[0] ?? 0;
  const last = (buckets[buckets.length - 1] ?? -1) + 1;
  const out: QuarterCounts = { at: [], allowed: [], blocked: [] };
  if (buckets.length === 0) return out;
  const everyRoute = constrainedDimensions(filters, ['region', 'provider', 'channel']).length === 0;
  const admitted = everyRoute ? [] : await tx.$queryRaw<{ ordinal: number }[]>`
    SELECT ordinal FROM region_routes WHERE ${where([], filters, ['region', 'provider', 'channel'])}`;
  if (!everyRoute && admitted.length === 0) return out;
  const rows = await readBucketRows(tx, table, cache, buckets);
  const takeAllowed = admits(filters, 'allowed');
  const takeBlocked = admits(filters, 'blocked');
  // Flags by entry ordinal (route * 4 + quarter), sums by quarter of the span: typed arrays,
  // as 90 days hold ~800,000 entries.
  let entries = 0;
  for (const { ordinal } of admitted) entries = Math.max(entries, (ordinal + 1) * QUARTERS_PER_HOUR);
  const wanted = new Uint8Array(entries);
  for (const { ordinal } of admitted) wanted.fill(1, ordinal * QUARTERS_PER_HOUR, (ordinal + 1) * QUARTERS_PER_HOUR);
  const allowed = new Float64Array((last - first) * QUARTERS_PER_HOUR);
  const blocked = new Float64Array(allowed.length);
  for (const r of rows) {
    if (r.counts.length % ENTRY_BYTES !== 0) throw new Error(`${table.name}: ${r.counts.length} bytes of counts are not whole entries`);
    const at = (r.bucket - first) * QUARTERS_PER_HOUR;
    if (everyRoute) {
      const totals = rowTotals(r.counts);
      for (let q = 0; q < QUARTERS_PER_HOUR; q++) {
        if (takeAllowed) allowed[at + q]! += totals[q]!;
        if (takeBlocked) blocked[at + q]! += totals[QUARTERS_PER_HOUR + q]!;
      }
      continue;
    }
    const view = new DataView(r.counts.buffer, r.counts.byteOffset, r.counts.length);
    const base = r.chunk * VECTOR_CHUNK;
    for (let o = 0; o < r.counts.length; o += ENTRY_BYTES) {
      const entry = base + view.getUint16(o);
      if (entry >= entries || wanted[entry] === 0) continue;
      const q = at + (entry % QUARTERS_PER_HOUR);
      if (takeAllowed) allowed[q]! += view.getInt32(o + 2);
      if (takeBlocked) blocked[q]! += view.getInt32(o + 6);
    }
  }
  for (let q = 0; q < allowed.length; q++) {
    if (allowed[q] === 0 && blocked[q] === 0) continue;
    out.at.push(first * 3_600_000 + q * QUARTER_MS);
    out.allowed.push(allowed[q]!);
    out.blocked.push(blocked[q]!);
  }
  return out;
}
