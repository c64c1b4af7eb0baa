import { analyticsGet, sortAndPage } from '@/lib/analytics/http';
import { VIOLATION_ACCOUNT_SORTS, violationAccounts } from '@/lib/analytics/violation-accounts';
import { prisma } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/** GET /api/v1/violations/accounts?<filters>[&sort=-total][&page=N][&pageSize=N]: violations per account. */
export const GET = analyticsGet('GET /api/v1/violations/accounts', async ({ filters, params }) => {
  const paging = sortAndPage(params, VIOLATION_ACCOUNT_SORTS, '-total');
  return { ...(await violationAccounts(prisma(), filters, paging)), page: paging.page, pageSize: paging.pageSize };
});
