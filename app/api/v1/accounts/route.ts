import { z } from 'zod';

import { ACCOUNT_SORTS, listAccounts } from '@/lib/analytics/accounts';
import { analyticsGet, queryParam } from '@/lib/analytics/http';
import { prisma } from '@/lib/db/client';
import { MAX_PAGE } from '@/lib/pagination';

export const dynamic = 'force-dynamic';

/** GET /api/v1/accounts?<filters>[&search=S][&sort=-total][&page=N][&pageSize=N] */
export const GET = analyticsGet('GET /api/v1/accounts', async ({ filters, params }) => {
  const sort = queryParam(params, 'sort', z.string().regex(new RegExp(`^-?(${ACCOUNT_SORTS.join('|')})$`)), '-total');
  const page = queryParam(params, 'page', z.coerce.number().int().min(1).max(MAX_PAGE), 1);
  const pageSize = queryParam(params, 'pageSize', z.coerce.number().int().min(1).max(500), 50);
  const result = await listAccounts(prisma(), filters, {
    search: params.get('search') ?? undefined,
    column: sort.replace(/^-/, '') as (typeof ACCOUNT_SORTS)[number],
    desc: sort.startsWith('-'),
    page,
    pageSize,
  });
  return { ...result, page, pageSize };
});
