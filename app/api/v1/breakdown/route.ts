import { breakdown } from '@/lib/analytics/breakdown';
import { GroupBySchema } from '@/lib/analytics/filters';
import { analyticsGet, queryParam } from '@/lib/analytics/http';
import { prisma } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/** GET /api/v1/breakdown?by=region|provider|channel|reason|model[&by2=...]&<filters> */
export const GET = analyticsGet('GET /api/v1/breakdown', async ({ filters, params }) => {
  const by = queryParam(params, 'by', GroupBySchema);
  const by2 = params.get('by2') ? queryParam(params, 'by2', GroupBySchema) : undefined;
  const rows = await breakdown(prisma(), filters, by, by2);
  return { from: filters.from, to: filters.to, by, by2: by2 ?? null, rows };
});
