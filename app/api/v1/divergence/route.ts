import { z } from 'zod';

import { DIVERGENCE_SORTS, divergence, divergenceFilters, type DivergenceSort } from '@/lib/analytics/divergence';
import { analyticsGet, queryParam } from '@/lib/analytics/http';
import { prisma } from '@/lib/db/client';
import { MAX_PAGE } from '@/lib/pagination';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/divergence?<filters>[&sort=-allowedAfterBlock][&page=N][&pageSize=N]: accounts
 * blocked on one channel and allowed on another for callers of one region (7 days unless
 * the URL names a range).
 */
export const GET = analyticsGet('GET /api/v1/divergence', async ({ params }) => {
  const filters = divergenceFilters(params);
  const sort = queryParam(params, 'sort', z.string().regex(new RegExp(`^-?(${DIVERGENCE_SORTS.join('|')})$`)), '-allowedAfterBlock');
  const page = queryParam(params, 'page', z.coerce.number().int().min(1).max(MAX_PAGE), 1);
  const pageSize = queryParam(params, 'pageSize', z.coerce.number().int().min(1).max(500), 50);
  const result = await divergence(prisma(), filters, { column: sort.replace(/^-/, '') as DivergenceSort, desc: sort.startsWith('-'), page, pageSize });
  return { from: filters.from, to: filters.to, ...result, page, pageSize };
});
