import { DIVERGENCE_SORTS, divergence, divergenceFilters } from '@/lib/analytics/divergence';
import { analyticsGet, sortAndPage } from '@/lib/analytics/http';
import { prisma } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/divergence?<filters>[&sort=-allowedAfterBlock][&page=N][&pageSize=N]: accounts
 * blocked on one channel and allowed on another for callers of one region (7 days unless
 * the URL names a range).
 */
export const GET = analyticsGet('GET /api/v1/divergence', async ({ params }) => {
  const filters = divergenceFilters(params);
  const paging = sortAndPage(params, DIVERGENCE_SORTS, '-allowedAfterBlock');
  return { from: filters.from, to: filters.to, ...(await divergence(prisma(), filters, paging)), page: paging.page, pageSize: paging.pageSize };
});
