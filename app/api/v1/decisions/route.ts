import { z } from 'zod';

import { decisionsByRequestId, decisionsPage } from '@/lib/analytics/decisions';
import { answerForQueryError, filtersFromRequest, queryParam } from '@/lib/analytics/http';
import { authenticateRequest } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/decisions?<filters>[&account=ID][&cursor=C][&limit=N] (newest first, keyset pages),
 * or ?request_id=R for every decision with that request id. Raw rows: analysts and admins.
 */
export async function GET(request: Request): Promise<Response> {
  const principal = await authenticateRequest(request, 'analyst');
  if (principal instanceof Response) return principal;
  try {
    const { filters, params } = filtersFromRequest(request);
    const requestId = params.get('request_id');
    if (requestId) return Response.json({ rows: await decisionsByRequestId(prisma(), requestId), nextCursor: null });
    const limit = queryParam(params, 'limit', z.coerce.number().int().min(1).max(1000), 100);
    const page = await decisionsPage(prisma(), filters, {
      accountId: params.get('account') ?? undefined,
      cursor: params.get('cursor'),
      limit,
    });
    return Response.json(page);
  } catch (error) {
    return answerForQueryError(error);
  }
}
