import { inSnapshot } from '@/lib/db/snapshot';
import type { PrismaClient } from '@/lib/generated/prisma/client';

import { rankDivergence } from './divergence-ranking';
import { type Filters, parseFilters, type SearchParamsInput } from './filters';

// Channel divergence: accounts that, inside the range, were blocked on one route
// (provider and channel) and allowed on another for callers in the same region: the
// customer the direct API turned away and a reseller or joint venture kept serving.
// Ranked by allowed-after-block volume: allowed decisions on a route at or after the
// account's first block in that region on a different route.
//
// Only pairs that ever used two routes can diverge (lib/rollups/account-region-routes.ts).
// "Allowed after a block elsewhere" needs no pass over the range's rows: with F1 the
// pair's first block (on route R1) and F2 the first on any other route, an allowed
// decision on R1 counts from F2 on and one on any other route from F1 on, so each route's
// count is its allowed decisions less those before its threshold. The ranking
// (divergence-ranking.ts) works from the candidate routes' day and hour vectors, and reads
// raw rows only within one slot per route for the pairs that could make the page; the CSV
// export is the same ranking with every pair on its page.

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

/** Every divergent pair of the range, ranked (the CSV export's rows). */
export async function everyDivergence(prisma: PrismaClient, filters: Filters, order: { column: DivergenceSort; desc: boolean }): Promise<DivergenceRow[]> {
  return (await divergence(prisma, filters, { ...order, page: 1, pageSize: Number.MAX_SAFE_INTEGER })).rows;
}

/** The filters of a divergence view: its window is 7 days when the URL names no range. */
export const divergenceFilters = (params: SearchParamsInput) => parseFilters(params, new Date(), '7d');
