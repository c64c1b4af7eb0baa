import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { inSnapshot } from '@/lib/db/snapshot';
import { multiRoutePairsSql } from '@/lib/rollups/account-region-routes';
import { DIVERGES, RUNNING_DIMENSIONS, runningDaysSum, runningRowsIn } from '@/lib/rollups/account-running-monthly';

import { where } from './filter-sql';
import { rankDivergence } from './divergence-ranking';
import { type Filters, parseFilters, type SearchParamsInput } from './filters';
import { dayParts, monthDays } from './range';

// Channel divergence: accounts that, inside the range, were blocked on one route
// (provider and channel) and allowed on another for callers in the same region: the
// customer the direct API turned away and a reseller or joint venture kept serving.
// Ranked by allowed-after-block volume: allowed decisions on a route at or after the
// account's first block in that region on a different route.
//
// Only pairs that ever used two routes can diverge (lib/rollups/account-region-routes.ts).
// Their routes' counts on whole days come from the running monthly rows, and those of
// partial edge days from raw rows. "Allowed after a block elsewhere" needs no pass over the
// range's rows: with F1 the pair's first block (on route R1) and F2 the first on any other
// route, an allowed decision on R1 counts from F2 on and one on any other route from F1 on,
// so each route's count is its allowed decisions less those before its threshold. Raw
// rows are read only before F2 (or F1), near the window's start for a pair that blocks
// often, plus, per route, the one day of the range that holds its first block.

export interface RouteCount {
  route: string;
  count: number;
}

export interface DivergenceRow {
  accountId: string;
  accountName: string | null;
  callerRegion: string;
  allowedAfterBlock: number;
  allowed: number;
  blocked: number;
  firstBlockAt: string;
  blockedRoutes: RouteCount[];
  allowedRoutes: RouteCount[];
}

export const DIVERGENCE_SORTS = ['allowedAfterBlock', 'allowed', 'blocked', 'firstBlockAt', 'accountId'] as const;
export type DivergenceSort = (typeof DIVERGENCE_SORTS)[number];
const ORDER: Record<DivergenceSort, string> = {
  allowedAfterBlock: 'allowed_after_block', allowed: 'allowed', blocked: 'blocked', firstBlockAt: 'first_block_at', accountId: 'account_id',
};

interface SqlRow {
  account_id: string;
  name: string | null;
  caller_region: string;
  allowed_after_block: bigint;
  allowed: bigint;
  blocked: bigint;
  first_block_at: Date;
  blocked_routes: { route: string; count: number }[];
  allowed_routes: { route: string; count: number }[];
  total_count: bigint;
}

/** Every divergent account and region of the range, ranked; one page when `page` is given. */
export function divergenceSql(filters: Filters, order: { column: DivergenceSort; desc: boolean }, page?: { page: number; pageSize: number }): Prisma.Sql {
  const dir = order.desc ? 'DESC' : 'ASC';
  const months = monthDays(filters.from, filters.to);
  // A pair's raw rows in a span, with the filters (divergence ignores the decision filter:
  // it is about both kinds).
  const rawOf = (alias: string, span: Prisma.Sql[], extra: Prisma.Sql[] = []) => where([
    Prisma.sql`d.account_id = ${Prisma.raw(alias)}.account_id`, Prisma.sql`d.caller_region = ${Prisma.raw(alias)}.caller_region`, ...span, ...extra,
  ], filters, RUNNING_DIMENSIONS);
  const parts = dayParts(filters.from, filters.to);
  const wholeDays = parts.daily[0];
  // The raw span before the whole days (the range's partial first day), if any.
  const early = (s: { to: Date }) => !!wholeDays && s.to <= wholeDays.from;
  const edges = parts.raw.map((s) => Prisma.sql`
        SELECT d.provider, d.channel, d.decision, ${early(s)}::boolean AS early FROM access_decisions d
         WHERE ${rawOf('c', [Prisma.sql`d.occurred_at >= ${s.from}`, Prisma.sql`d.occurred_at < ${s.to}`])}`);
  // A route's first block in range lies in the earliest part of the range that has one:
  // the partial first day (its blocks counted in edge.early_b), the first whole day with a
  // block (from the running rows: first_block_day), or the partial last day. The probe
  // for it reads that part alone, at most a day of the account's rows whatever plan the
  // planner picks: over the whole range, it chose a bitmap scan of every row of the
  // account (the planner guesses ~150 rows an account; a busy one has 100,000 in 90
  // days) and took 10 s at 10M rows, against ~100 ms for a 7-day range.
  const endEdge = parts.raw.find((s) => !early(s));
  const probe = wholeDays
    ? {
      lo: Prisma.sql`CASE WHEN x.early_b > 0 THEN ${filters.from}::timestamptz WHEN x.first_block_day IS NOT NULL THEN x.first_block_day
                          ELSE ${endEdge?.from ?? filters.to}::timestamptz END`,
      hi: Prisma.sql`CASE WHEN x.early_b > 0 THEN ${wholeDays.from}::timestamptz WHEN x.first_block_day IS NOT NULL THEN x.first_block_day + interval '1 day'
                          ELSE ${filters.to}::timestamptz END`,
    }
    : { lo: Prisma.sql`${filters.from}::timestamptz`, hi: Prisma.sql`${filters.to}::timestamptz` };
  // Statements are kept apart by MATERIALIZED: the planner misestimates these relations'
  // sizes badly (a nested loop over a misestimated CTE once took minutes on the demo).
  return Prisma.sql`
    WITH pairs AS MATERIALIZED (${multiRoutePairsSql(filters)}),
    route_months AS MATERIALIZED (
      -- The candidate pairs' running rows, read once: for the routes' counts below and, for
      -- a page ranked by allowed after block, for the bounds on it.
      SELECT m.account_id, m.caller_region, m.provider, m.channel, m.month, v.wlo, v.whi, v.tlo, v.thi, m.allowed, m.blocked
        FROM ${runningRowsIn(filters, months, [Prisma.sql`(m.account_id, m.caller_region) IN (SELECT account_id, caller_region FROM pairs)`])}),
    whole AS MATERIALIZED (
      -- Each candidate route's decisions on whole days (al, bl) and on touched days (at, bt).
      -- And the first whole day with a block: the running totals never fall, so the days
      -- before it are those whose total still equals the day before the whole days'.
      SELECT m.account_id, m.caller_region, m.provider, m.channel,
             sum(${runningDaysSum('allowed', true, 'wlo', 'whi')}) AS al, sum(${runningDaysSum('blocked', true, 'wlo', 'whi')}) AS bl,
             sum(${runningDaysSum('allowed', true, 'tlo', 'thi')}) AS at, sum(${runningDaysSum('blocked', true, 'tlo', 'thi')}) AS bt,
             min(CASE WHEN ${runningDaysSum('blocked', true, 'wlo', 'whi')} > 0
                 THEN (m.month + v.wlo - 1 + cardinality(array_positions(m.blocked[v.wlo:v.whi], coalesce(m.blocked[v.wlo - 1], 0))))::timestamp AT TIME ZONE 'UTC'
                 END) AS first_block_day
        FROM route_months m CROSS JOIN LATERAL (SELECT m.wlo, m.whi, m.tlo, m.thi) v
       GROUP BY 1, 2, 3, 4),
    c AS MATERIALIZED (
      -- Pairs that diverge on the touched days (a superset of those that do in range), each
      -- with its routes' whole-day counts as arrays: unnested below rather than joined back
      -- to whole, as the planner, misjudging both sizes, would loop over one for each row of
      -- the other (0.65 s for 1,100 pairs on the demo).
      SELECT account_id, caller_region, array_agg(provider) AS providers, array_agg(channel) AS channels,
             array_agg(al) AS als, array_agg(bl) AS bls, array_agg(first_block_day) AS first_block_days
        FROM (SELECT *, at AS a, bt AS b FROM whole) w
       GROUP BY 1, 2 HAVING ${DIVERGES}),
    edge AS (
      SELECT c.account_id, c.caller_region, e.provider, e.channel,
             count(*) FILTER (WHERE e.decision = 'allowed') AS a, count(*) FILTER (WHERE e.decision = 'blocked') AS b,
             count(*) FILTER (WHERE e.decision = 'blocked' AND e.early) AS early_b,
             count(*) FILTER (WHERE e.decision = 'allowed' AND e.early) AS early_a
        FROM c CROSS JOIN LATERAL (${edges.length ? Prisma.join(edges, ' UNION ALL ') : Prisma.sql`SELECT NULL::text AS provider, NULL::text AS channel, NULL::"Decision" AS decision, false AS early WHERE false`}) e
       GROUP BY 1, 2, 3, 4),
    exact AS MATERIALIZED (
      -- Each route's decisions in range, and its first block there (an index probe that
      -- stops at the first blocked row; none for a route without blocks). Every route
      -- with decisions on the touched days has a running row, so whole names them all.
      SELECT x.*, fb.at AS first_block FROM (
        SELECT account_id, caller_region, provider, channel, provider || '/' || channel AS route,
               w.al + coalesce(e.a, 0) AS a, w.bl + coalesce(e.b, 0) AS b, coalesce(e.early_b, 0) AS early_b, w.first_block_day,
               w.al, coalesce(e.early_a, 0) AS early_a, coalesce(e.a, 0) - coalesce(e.early_a, 0) AS late_a
          FROM (SELECT c.account_id, c.caller_region, r.* FROM c
                 CROSS JOIN LATERAL unnest(c.providers, c.channels, c.als, c.bls, c.first_block_days) r (provider, channel, al, bl, first_block_day)) w
          LEFT JOIN edge e USING (account_id, caller_region, provider, channel)) x
        LEFT JOIN LATERAL (
          SELECT d.occurred_at AS at FROM access_decisions d
           WHERE x.b > 0 AND ${rawOf('x', [Prisma.sql`d.occurred_at >= ${probe.lo}`, Prisma.sql`d.occurred_at < ${probe.hi}`],
             [Prisma.sql`d.provider = x.provider`, Prisma.sql`d.channel = x.channel`, Prisma.sql`d.decision = 'blocked'`])}
           ORDER BY d.occurred_at LIMIT 1) fb ON true
       WHERE x.a + x.b > 0),
    divergent AS MATERIALIZED (
      -- F1, its route R1, and F2: the second-earliest of the routes' first blocks.
      SELECT account_id, caller_region, sum(a) AS allowed, sum(b) AS blocked, min(first_block) AS f1,
             (array_agg(route ORDER BY first_block) FILTER (WHERE first_block IS NOT NULL))[1] AS r1,
             (array_agg(a ORDER BY first_block) FILTER (WHERE first_block IS NOT NULL))[1] AS r1_allowed,
             (array_agg(first_block ORDER BY first_block) FILTER (WHERE first_block IS NOT NULL))[2] AS f2,
             coalesce(jsonb_agg(jsonb_build_object('route', route, 'count', b) ORDER BY b DESC, route) FILTER (WHERE b > 0), '[]') AS blocked_routes,
             coalesce(jsonb_agg(jsonb_build_object('route', route, 'count', a) ORDER BY a DESC, route) FILTER (WHERE a > 0), '[]') AS allowed_routes
        FROM exact GROUP BY 1, 2 HAVING ${DIVERGES}),
    ${candidatesSql(filters, order, page, wholeDays)},
    ranked AS (
      -- Allowed decisions before their route's threshold (R1's is F2, the others' F1), read
      -- per pair through the account index; without F2, R1's allowed decisions never
      -- follow a block elsewhere.
      SELECT v.*, v.allowed - b.n - CASE WHEN v.f2 IS NULL THEN v.r1_allowed ELSE 0 END AS allowed_after_block,
             v.f1 AS first_block_at
        FROM candidates v CROSS JOIN LATERAL (
          SELECT count(*) AS n FROM access_decisions d
           WHERE ${rawOf('v', [Prisma.sql`d.occurred_at >= ${filters.from}`, Prisma.sql`d.occurred_at < coalesce(v.f2, v.f1)`, Prisma.sql`d.decision = 'allowed'`])}
             AND d.occurred_at < CASE WHEN d.provider || '/' || d.channel = v.r1 THEN v.f2 ELSE v.f1 END) b)
    SELECT v.account_id, a.name, trim(v.caller_region) AS caller_region, v.allowed_after_block,
           v.allowed, v.blocked, v.first_block_at, v.blocked_routes, v.allowed_routes, (SELECT count(*) FROM divergent) AS total_count
      FROM ranked v
      LEFT JOIN accounts a ON a.id = v.account_id
     ORDER BY ${Prisma.raw(`${ORDER[order.column]} ${dir}, account_id ${dir}, caller_region ${dir}`)}
     ${page ? Prisma.sql`LIMIT ${page.pageSize} OFFSET ${(page.page - 1) * page.pageSize}` : Prisma.empty}`;
}

/**
 * The divergent pairs whose allowed-after-block count is worked out (each a read of the
 * account's rows from the range's start to its thresholds, ~0.16 ms a pair: 220 ms for the
 * demo's 1,400 pairs over 90 days). Without a page, every pair. A page in another order
 * needs it for its own rows only: the first offset + limit pairs in that order. A page
 * ranked by it: the pairs that could rank there, from bounds on each pair's count that
 * need no raw rows: each route's allowed decisions after the day its threshold falls on
 * (at least) and from that day's start (at most), from the running rows and the edges'
 * counts. If K pairs surely have at least L, a pair with at most less than L cannot be
 * among the first K.
 */
function candidatesSql(filters: Filters, order: { column: DivergenceSort; desc: boolean }, page: { page: number; pageSize: number } | undefined, wholeDays: { from: Date; to: Date } | undefined): Prisma.Sql {
  if (!page) return Prisma.sql`candidates AS (SELECT * FROM divergent)`;
  const k = page.page * page.pageSize;
  if (order.column !== 'allowedAfterBlock') {
    const dir = order.desc ? 'DESC' : 'ASC';
    const column = order.column === 'firstBlockAt' ? 'f1' : ORDER[order.column];
    return Prisma.sql`candidates AS (SELECT * FROM divergent ORDER BY ${Prisma.raw(`${column} ${dir}, account_id ${dir}, caller_region ${dir}`)} LIMIT ${k})`;
  }
  // Per route: its threshold t, and bounds on its allowed decisions from t on.
  const d1 = wholeDays?.from ?? filters.to;
  const d2 = wholeDays?.to ?? filters.to;
  const month = Prisma.sql`date_trunc('month', r.t AT TIME ZONE 'UTC')::date`;
  const index = Prisma.sql`extract(day FROM r.t AT TIME ZONE 'UTC')::int`;
  const [best, worst] = order.desc ? ['lo', 'hi'] : ['hi', 'lo'];
  return Prisma.sql`route_thresholds AS (
      SELECT x.account_id, x.caller_region, x.provider, x.channel, x.a, x.al, x.early_a, x.late_a,
             CASE WHEN x.route = v.r1 THEN v.f2 ELSE v.f1 END AS t
        FROM exact x JOIN divergent v USING (account_id, caller_region)),
    threshold_days AS (
      -- Whole days: the route's allowed decisions on days after t's (after_day) and on it (on_day).
      SELECT r.account_id, r.caller_region, r.provider, r.channel,
             sum(CASE WHEN m.month > ${month} THEN coalesce(m.allowed[m.whi], 0) - coalesce(m.allowed[m.wlo - 1], 0)
                      WHEN m.month = ${month} THEN coalesce(m.allowed[m.whi], 0) - coalesce(m.allowed[${index}], 0)
                      ELSE 0 END) AS after_day,
             sum(CASE WHEN m.month = ${month} THEN coalesce(m.allowed[${index}], 0) - coalesce(m.allowed[${index} - 1], 0) ELSE 0 END) AS on_day
        FROM route_thresholds r JOIN route_months m USING (account_id, caller_region, provider, channel)
       WHERE r.t >= ${d1}::timestamptz AND r.t < ${d2}::timestamptz
       GROUP BY 1, 2, 3, 4),
    bounds AS (
      -- A route's decisions from t on: those of its partial first day after t, of t's own
      -- day, and of later days and the partial last day. Without whole days, 0 to all.
      SELECT r.account_id, r.caller_region,
             sum(CASE WHEN r.t IS NULL THEN 0 ${wholeDays ? Prisma.sql`
                      WHEN r.t < ${d1}::timestamptz THEN r.al + r.late_a
                      WHEN r.t < ${d2}::timestamptz THEN coalesce(t.after_day, 0) + r.late_a` : Prisma.empty}
                      ELSE 0 END) AS lo,
             sum(CASE WHEN r.t IS NULL THEN 0 ${wholeDays ? Prisma.sql`
                      WHEN r.t < ${d1}::timestamptz THEN r.al + r.late_a + r.early_a
                      WHEN r.t < ${d2}::timestamptz THEN coalesce(t.after_day, 0) + coalesce(t.on_day, 0) + r.late_a
                      ELSE r.late_a` : Prisma.sql` ELSE r.a`} END) AS hi
        FROM route_thresholds r LEFT JOIN threshold_days t USING (account_id, caller_region, provider, channel)
       GROUP BY 1, 2),
    candidates AS (
      SELECT v.* FROM divergent v JOIN bounds b USING (account_id, caller_region)
       WHERE b.${Prisma.raw(worst)} ${Prisma.raw(order.desc ? '>=' : '<=')} coalesce(
         (SELECT ${Prisma.raw(best)} FROM bounds ORDER BY 1 ${Prisma.raw(order.desc ? 'DESC' : 'ASC')} LIMIT 1 OFFSET ${k - 1}),
         b.${Prisma.raw(worst)}))`;
}

export const toDivergenceRow = (r: SqlRow): DivergenceRow => ({
  accountId: r.account_id, accountName: r.name, callerRegion: r.caller_region, allowedAfterBlock: Number(r.allowed_after_block),
  allowed: Number(r.allowed), blocked: Number(r.blocked), firstBlockAt: r.first_block_at.toISOString(),
  blockedRoutes: r.blocked_routes, allowedRoutes: r.allowed_routes,
});

/**
 * One page of the divergent pairs of the range, ranked, and how many there are: from the
 * candidate routes' vectors in Node (divergence-ranking.ts), in one snapshot.
 */
export function divergence(
  prisma: PrismaClient,
  filters: Filters,
  options: { column: DivergenceSort; desc: boolean; page: number; pageSize: number },
): Promise<{ rows: DivergenceRow[]; total: number }> {
  // A cold process builds its day summary and route map first (~0.7 s over 90 days at 10M rows here).
  return inSnapshot(prisma, (tx) => rankDivergence(tx, filters, options));
}

/** The filters of a divergence view: its window is 7 days when the URL names no range. */
export const divergenceFilters = (params: SearchParamsInput) => parseFilters(params, new Date(), '7d');
