import { ACCOUNT_SORTS, listAccounts } from '@/lib/analytics/accounts';
import { analyticsGet, sortAndPage } from '@/lib/analytics/http';
import { prisma } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/** GET /api/v1/accounts?<filters>[&search=S][&sort=-total][&page=N][&pageSize=N] */
export const GET = analyticsGet('GET /api/v1/accounts', async ({ filters, params }) => {
  const paging = sortAndPage(params, ACCOUNT_SORTS, '-total');
  const result = await listAccounts(prisma(), filters, { search: params.get('search') ?? undefined, ...paging });
  return { ...result, page: paging.page, pageSize: paging.pageSize };
});
