import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { divergenceCandidatesSql, DIVERGES, RUNNING_DIMENSIONS } from '@/lib/rollups/account-running-monthly';

import { where } from './filter-sql';
import { type Filters, parseFilters, type SearchParamsInput } from './filters';
import { monthDays } from './range';

// Channel divergence: accounts that, inside the range, were blocked on one route
// (provider and channel) and allowed on another for callers in the same region: the
// customer the direct API turned away and a reseller or joint venture kept serving.
// Ranked by allowed-after-block volume: allowed decisions on a route at or after the
// account's first block in that region on a different route.
//
// The running monthly rows name the candidates from whole days (cheap, a superset); the
// exact bounds and the after-block count come from the candidates' raw rows only, through
// the (account_id, occurred_at) index.

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
  const raw = where([Prisma.sql`d.account_id = c.account_id`, Prisma.sql`d.caller_region = c.caller_region`,
    Prisma.sql`d.occurred_at >= ${filters.from}`, Prisma.sql`d.occurred_at < ${filters.to}`], filters, RUNNING_DIMENSIONS);
  // No join between the intermediate relations: their row counts are estimated badly (a
  // nested loop over a misestimated CTE once took minutes on the demo). Each candidate's
  // rows come through the (account_id, occurred_at) index (LATERAL), and "allowed after a
  // block elsewhere" is one ordered pass: at an allowed decision, the blocked routes so far
  // (peers at the same instant included) hold another route when their least and greatest
  // differ, or when the only one is not this decision's.
  return Prisma.sql`
    WITH c AS MATERIALIZED (${divergenceCandidatesSql(filters, monthDays(filters.from, filters.to))}),
    r AS (
      SELECT c.account_id, c.caller_region, d.provider || '/' || d.channel AS route, d.decision, d.occurred_at
        FROM c CROSS JOIN LATERAL (SELECT d.provider, d.channel, d.decision, d.occurred_at FROM access_decisions d WHERE ${raw}) d),
    marked AS (
      SELECT account_id, caller_region, route, decision, occurred_at,
             min(route) FILTER (WHERE decision = 'blocked') OVER w AS lo,
             max(route) FILTER (WHERE decision = 'blocked') OVER w AS hi
        FROM r WINDOW w AS (PARTITION BY account_id, caller_region ORDER BY occurred_at)),
    routes AS (
      SELECT account_id, caller_region, route,
             count(*) FILTER (WHERE decision = 'allowed') AS a, count(*) FILTER (WHERE decision = 'blocked') AS b,
             count(*) FILTER (WHERE decision = 'allowed' AND (lo <> hi OR lo <> route)) AS after,
             min(occurred_at) FILTER (WHERE decision = 'blocked') AS first_block
        FROM marked GROUP BY 1, 2, 3),
    divergent AS (
      SELECT account_id, caller_region, sum(after) AS allowed_after_block, sum(a) AS allowed, sum(b) AS blocked,
             min(first_block) AS first_block_at,
             coalesce(jsonb_agg(jsonb_build_object('route', route, 'count', b) ORDER BY b DESC, route) FILTER (WHERE b > 0), '[]') AS blocked_routes,
             coalesce(jsonb_agg(jsonb_build_object('route', route, 'count', a) ORDER BY a DESC, route) FILTER (WHERE a > 0), '[]') AS allowed_routes
        FROM routes GROUP BY 1, 2 HAVING ${DIVERGES})
    SELECT v.account_id, a.name, trim(v.caller_region) AS caller_region, v.allowed_after_block,
           v.allowed, v.blocked, v.first_block_at, v.blocked_routes, v.allowed_routes, count(*) OVER () AS total_count
      FROM divergent v
      LEFT JOIN accounts a ON a.id = v.account_id
     ORDER BY ${Prisma.raw(`${ORDER[order.column]} ${dir}, account_id ${dir}, caller_region ${dir}`)}
     ${page ? Prisma.sql`LIMIT ${page.pageSize} OFFSET ${(page.page - 1) * page.pageSize}` : Prisma.empty}`;
}

export const toDivergenceRow = (r: SqlRow): DivergenceRow => ({
  accountId: r.account_id, accountName: r.name, callerRegion: r.caller_region, allowedAfterBlock: Number(r.allowed_after_block),
  allowed: Number(r.allowed), blocked: Number(r.blocked), firstBlockAt: r.first_block_at.toISOString(),
  blockedRoutes: r.blocked_routes, allowedRoutes: r.allowed_routes,
});

export async function divergence(
  prisma: PrismaClient,
  filters: Filters,
  options: { column: DivergenceSort; desc: boolean; page: number; pageSize: number },
): Promise<{ rows: DivergenceRow[]; total: number }> {
  // The page carries the total (a window count before LIMIT): the candidates' raw rows are read once.
  const rows = await prisma.$queryRaw<SqlRow[]>(divergenceSql(filters, options, options));
  return { rows: rows.map(toDivergenceRow), total: rows.length ? Number(rows[0]!.total_count) : await countDivergent(prisma, filters) };
}

async function countDivergent(prisma: PrismaClient, filters: Filters): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM (${divergenceSql(filters, { column: 'accountId', desc: false })}) p`;
  return Number(row!.n);
}

/** The filters of a divergence view: its window is 7 days when the URL names no range. */
export const divergenceFilters = (params: SearchParamsInput) => parseFilters(params, new Date(), '7d');
