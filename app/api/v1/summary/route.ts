import { answerForQueryError, filtersFromRequest } from '@/lib/analytics/http';
import { summary } from '@/lib/analytics/summary';
import { authenticateRequest } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/** GET /api/v1/summary?<filters>: the overview's headline numbers and the previous period's. */
export async function GET(request: Request): Promise<Response> {
  const principal = await authenticateRequest(request, 'viewer');
  if (principal instanceof Response) return principal;
  try {
    const { filters } = filtersFromRequest(request);
    return Response.json({ from: filters.from, to: filters.to, ...(await summary(prisma(), filters)) });
  } catch (error) {
    return answerForQueryError(error);
  }
}
