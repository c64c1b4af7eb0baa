import { z } from 'zod';

import { decisionsByRequestId, decisionsPage } from '@/lib/analytics/decisions';
import { analyticsGet, queryParam } from '@/lib/analytics/http';
import { recordAudit } from '@/lib/audit/record';
import { prisma } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/**
 * GET /api/v1/decisions?<filters>[&account=ID][&cursor=C][&limit=N] (newest first, keyset pages),
 * or ?request_id=R for every decision with that request id. Raw rows: analysts and admins.
 */
export const GET = analyticsGet('GET /api/v1/decisions', async ({ filters, params, principal }) => {
  const requestId = params.get('request_id');
  const account = params.get('account') ?? undefined;
  if (requestId || account) {
    await recordAudit(prisma(), { actor: principal, action: requestId ? 'decision.lookup' : 'account.view',
      target: requestId ? `request:${requestId.slice(0, 128)}` : `account:${account!.slice(0, 128)}` });
  }
  if (requestId) return { rows: await decisionsByRequestId(prisma(), requestId), nextCursor: null };
  const limit = queryParam(params, 'limit', z.coerce.number().int().min(1).max(1000), 100);
  return decisionsPage(prisma(), filters, { accountId: account, cursor: params.get('cursor'), limit });
});
