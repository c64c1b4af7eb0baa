import { z } from 'zod';

import { ACCOUNT_SORTS, listAccounts } from '@/lib/analytics/accounts';
import { answerForQueryError, filtersFromRequest, queryParam } from '@/lib/analytics/http';
import { authenticateRequest } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/** GET /api/v1/accounts?<filters>[&search=S][&sort=-total][&page=N][&pageSize=N] */
export async function GET(request: Request): Promise<Response> {
  const principal = await authenticateRequest(request, 'viewer');
  if (principal instanceof Response) return principal;
  try {
    const { filters, params } = filtersFromRequest(request);
    const sort = queryParam(params, 'sort', z.string().regex(new RegExp(`^-?(${ACCOUNT_SORTS.join('|')})$`)), '-total');
    const page = queryParam(params, 'page', z.coerce.number().int().min(1), 1);
    const pageSize = queryParam(params, 'pageSize', z.coerce.number().int().min(1).max(500), 50);
    const result = await listAccounts(prisma(), filters, {
      search: params.get('search') ?? undefined,
      column: sort.replace(/^-/, '') as (typeof ACCOUNT_SORTS)[number],
      desc: sort.startsWith('-'),
      page,
      pageSize,
    });
    return Response.json({ ...result, page, pageSize });
  } catch (error) {
    return answerForQueryError(error);
  }
}
