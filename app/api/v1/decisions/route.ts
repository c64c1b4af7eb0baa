import { z } from 'zod';

import { decisionsByRequestId, decisionsPage } from '@/lib/analytics/decisions';
import { analyticsGet, queryParam } from '@/lib/analytics/http';
import { prisma } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/decisions?<filters>[&account=ID][&cursor=C][&limit=N] (newest first, keyset pages),
 * or ?request_id=R for every decision with that request id. Raw rows: analysts and admins.
 */
export const GET = analyticsGet('analyst', async ({ filters, params }) => {
  const requestId = params.get('request_id');
  if (requestId) return { rows: await decisionsByRequestId(prisma(), requestId), nextCursor: null };
  const limit = queryParam(params, 'limit', z.coerce.number().int().min(1).max(1000), 100);
  return decisionsPage(prisma(), filters, { accountId: params.get('account') ?? undefined, cursor: params.get('cursor'), limit });
});
