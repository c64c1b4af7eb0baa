import { analyticsGet, queryParam } from '@/lib/analytics/http';
import { BucketSchema, defaultBucket } from '@/lib/analytics/filters';
import { violationSeries } from '@/lib/analytics/violations';
import { prisma } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/** GET /api/v1/violations/timeseries?<filters>[&bucket=hour|day|week]: violations per bucket. */
export const GET = analyticsGet('GET /api/v1/violations/timeseries', async ({ filters, params }) => {
  const bucket = queryParam(params, 'bucket', BucketSchema, defaultBucket(filters.from, filters.to));
  return { bucket, points: await violationSeries(prisma(), filters, bucket) };
});
