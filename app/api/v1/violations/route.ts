import { z } from 'zod';

import { analyticsGet, queryParam } from '@/lib/analytics/http';
import { violationList, violationSummary } from '@/lib/analytics/violations';
import { prisma } from '@/lib/db/client';
import { MAX_PAGE } from '@/lib/pagination';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/violations?<filters>[&account=ID][&page=N][&pageSize=N]: the range's violation
 * counts against the previous period, and the violating decisions (newest first) with the
 * policy each contradicts. Raw decisions: analysts and admins.
 */
export const GET = analyticsGet('GET /api/v1/violations', async ({ filters, params }) => {
  const page = queryParam(params, 'page', z.coerce.number().int().min(1).max(MAX_PAGE), 1);
  const pageSize = queryParam(params, 'pageSize', z.coerce.number().int().min(1).max(1000), 100);
  const accountId = params.get('account') ?? undefined;
  const headline = violationSummary(prisma(), filters);
  const [summary, list] = await Promise.all([headline, violationList(prisma(), filters, { accountId, page, pageSize, summary: headline })]);
  return { from: filters.from, to: filters.to, ...summary, ...list, page, pageSize };
});
