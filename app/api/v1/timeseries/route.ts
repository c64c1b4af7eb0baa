import { BucketSchema, defaultBucket } from '@/lib/analytics/filters';
import { answerForQueryError, filtersFromRequest, queryParam } from '@/lib/analytics/http';
import { timeSeries } from '@/lib/analytics/time-series';
import { authenticateRequest } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/** GET /api/v1/timeseries?bucket=hour|day|week&<filters> */
export async function GET(request: Request): Promise<Response> {
  const principal = await authenticateRequest(request, 'viewer');
  if (principal instanceof Response) return principal;
  try {
    const { filters, params } = filtersFromRequest(request);
    const bucket = queryParam(params, 'bucket', BucketSchema, defaultBucket(filters.from, filters.to));
    const rows = await timeSeries(prisma(), filters, bucket);
    return Response.json({ from: filters.from, to: filters.to, tz: filters.tz, bucket, rows });
  } catch (error) {
    return answerForQueryError(error);
  }
}
