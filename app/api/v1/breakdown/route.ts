import { breakdown } from '@/lib/analytics/breakdown';
import { GroupBySchema } from '@/lib/analytics/filters';
import { answerForQueryError, filtersFromRequest, queryParam } from '@/lib/analytics/http';
import { authenticateRequest } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/** GET /api/v1/breakdown?by=region|provider|channel|reason|model[&by2=...]&<filters> */
export async function GET(request: Request): Promise<Response> {
  const principal = await authenticateRequest(request, 'viewer');
  if (principal instanceof Response) return principal;
  try {
    const { filters, params } = filtersFromRequest(request);
    const by = queryParam(params, 'by', GroupBySchema);
    const by2 = params.get('by2') ? queryParam(params, 'by2', GroupBySchema) : undefined;
    const rows = await breakdown(prisma(), filters, by, by2);
    return Response.json({ from: filters.from, to: filters.to, by, by2: by2 ?? null, rows });
  } catch (error) {
    return answerForQueryError(error);
  }
}
