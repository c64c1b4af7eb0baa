import { z } from 'zod';

import { analyticsGet, queryParam } from '@/lib/analytics/http';
import { VIOLATION_ACCOUNT_SORTS, violationAccounts, type ViolationAccountSort } from '@/lib/analytics/violations';
import { prisma } from '@/lib/db/client';
import { MAX_PAGE } from '@/lib/pagination';

export const dynamic = 'force-dynamic';

/** GET /api/v1/violations/accounts?<filters>[&sort=-total][&page=N][&pageSize=N]: violations per account. */
export const GET = analyticsGet('GET /api/v1/violations/accounts', async ({ filters, params }) => {
  const sort = queryParam(params, 'sort', z.string().regex(new RegExp(`^-?(${VIOLATION_ACCOUNT_SORTS.join('|')})$`)), '-total');
  const page = queryParam(params, 'page', z.coerce.number().int().min(1).max(MAX_PAGE), 1);
  const pageSize = queryParam(params, 'pageSize', z.coerce.number().int().min(1).max(500), 50);
  const result = await violationAccounts(prisma(), filters, {
    column: sort.replace(/^-/, '') as ViolationAccountSort, desc: sort.startsWith('-'), page, pageSize,
  });
  return { ...result, page, pageSize };
});
