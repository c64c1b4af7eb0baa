import { BucketSchema, defaultBucket } from '@/lib/analytics/filters';
import { analyticsGet, queryParam } from '@/lib/analytics/http';
import { timeSeries } from '@/lib/analytics/time-series';
import { prisma } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/** GET /api/v1/timeseries?bucket=hour|day|week&<filters> */
export const GET = analyticsGet('GET /api/v1/timeseries', async ({ filters, params }) => {
  const bucket = queryParam(params, 'bucket', BucketSchema, defaultBucket(filters.from, filters.to));
  const rows = await timeSeries(prisma(), filters, bucket);
  return { from: filters.from, to: filters.to, tz: filters.tz, bucket, rows };
});
