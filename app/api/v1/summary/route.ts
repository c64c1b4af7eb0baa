import { analyticsGet } from '@/lib/analytics/http';
import { summary } from '@/lib/analytics/summary';
import { prisma } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/** GET /api/v1/summary?<filters>: the overview's headline numbers and the previous period's. */
export const GET = analyticsGet('GET /api/v1/summary', async ({ filters }) => ({ from: filters.from, to: filters.to, ...(await summary(prisma(), filters)) }));
