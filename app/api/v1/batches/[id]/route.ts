import { apiRoute } from '@/lib/api/route';
import { prisma } from '@/lib/db/client';
import { requireBatch } from '@/lib/ingest/batches';

export const dynamic = 'force-dynamic';

export const GET = apiRoute('GET /api/v1/batches/[id]', async ({ path }) => ({ batch: await requireBatch(prisma(), path.id!) }));
