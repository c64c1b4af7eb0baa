import type { PrismaClient } from '@/lib/generated/prisma/client';
import { parsePageParams } from '@/lib/pagination';

import { ACCOUNT_SORTS, listAccounts } from './accounts';
import { breakdown } from './breakdown';
import { hasAnyDecisions } from './catalog';
import { decisionsPage } from './decisions';
import { DIVERGENCE_SORTS, divergence } from './divergence';
import { DEFAULT_RANGE, defaultBucket, type Filters, parseFilters, RANGE_PRESETS, type RangePreset } from './filters';
import { policyMarkers } from './policy-markers';
import { summary } from './summary';
import { timeSeries } from './time-series';
import { VIOLATION_ACCOUNT_SORTS, violationAccounts } from './violation-accounts';
import { violationSeries, violationSummary } from './violations';

/**
 * What the dashboard's pages ask for when opened with no parameters but a range: the same
 * calls, with the pages' default sorts and page sizes. Kept beside the pages' own calls
 * only in that a page that adds a query should add it here; a query left out is merely
 * colder on its first call.
 */
function pageQueries(prisma: PrismaClient, filters: Filters): Record<string, () => Promise<unknown>> {
  const bucket = defaultBucket(filters.from, filters.to);
  const accounts = parsePageParams({}, ACCOUNT_SORTS, '-total');
  const violators = parsePageParams({}, VIOLATION_ACCOUNT_SORTS, '-total');
  const divergent = parsePageParams({}, DIVERGENCE_SORTS, '-allowedAfterBlock');
  return {
    summary: () => summary(prisma, filters),
    'violation summary': () => violationSummary(prisma, filters),
    series: () => timeSeries(prisma, filters, bucket),
    'policy markers': () => policyMarkers(prisma, filters),
    'by region': () => breakdown(prisma, filters, 'region'),
    'by provider': () => breakdown(prisma, filters, 'provider'),
    'by channel': () => breakdown(prisma, filters, 'channel'),
    'region × channel': () => breakdown(prisma, filters, 'region', 'channel'),
    accounts: () => listAccounts(prisma, filters, accounts),
    'top blocked accounts': () => listAccounts(prisma, filters, { column: 'blocked', desc: true, page: 1, pageSize: 10 }),
    decisions: () => decisionsPage(prisma, filters, { limit: 50 }),
    'violation series': () => violationSeries(prisma, filters, bucket),
    'violation accounts': () => violationAccounts(prisma, filters, violators),
    divergence: () => divergence(prisma, filters, divergent),
  };
}

/** The default range first: it is what a page shows before anyone picks another. */
const ORDER: RangePreset[] = [DEFAULT_RANGE, ...(Object.keys(RANGE_PRESETS) as RangePreset[]).filter((r) => r !== DEFAULT_RANGE)];

export interface WarmUpReport {
  /** Queries that answered. */
  ran: number;
  failed: { range: RangePreset; query: string; message: string }[];
  /** Ranges not warmed, or not to the end, because the budget ran out. */
  skipped: RangePreset[];
  ms: number;
}

/**
 * Runs every page's queries once for each range preset, ending now, one range at a time
 * with that range's queries in parallel as a page runs them. A server process starts cold:
 * its pool has no connection open, each new PostgreSQL backend has empty catalog caches,
 * V8 has compiled nothing and the per-process vector caches are empty, so the first page
 * after a start took ~600 ms at 10M rows where the same page then takes ~60. This moves
 * that cost before the server's first answer.
 *
 * Bounded by `budgetMs`: a range still running when it runs out is left to finish on its
 * own, and the ranges after it are skipped. A query that fails is reported, never thrown:
 * a server that cannot warm up still serves.
 */
export async function warmUp(prisma: PrismaClient, options: { now?: Date; budgetMs: number }): Promise<WarmUpReport> {
  const started = Date.now();
  const deadline = started + options.budgetMs;
  const report: WarmUpReport = { ran: 0, failed: [], skipped: [], ms: 0 };
  // An empty database has nothing to warm, and the first upload replaces the caches anyway.
  if (!(await hasAnyDecisions(prisma))) return { ...report, ms: Date.now() - started };
  for (const [i, range] of ORDER.entries()) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      report.skipped.push(...ORDER.slice(i));
      break;
    }
    const filters = parseFilters({ range }, options.now ?? new Date());
    const queries = Object.entries(pageQueries(prisma, filters)).map(async ([query, run]) => {
      try {
        await run();
        report.ran += 1;
      } catch (error) {
        report.failed.push({ range, query, message: error instanceof Error ? error.message : String(error) });
      }
    });
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.all(queries).then(() => true),
      new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), remaining); }),
    ]);
    clearTimeout(timer);
    if (!finished) {
      report.skipped.push(...ORDER.slice(i));
      break;
    }
  }
  // A copy: queries of a range left to finish must not change what was reported.
  return { ...report, failed: [...report.failed], ms: Date.now() - started };
}
