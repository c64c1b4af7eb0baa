import { NotFoundError } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { prisma } from '@/lib/db/client';
import { getManifest } from '@/lib/export/run';

export const dynamic = 'force-dynamic';

/** Row count and SHA-256 of a finished export, for recipients to verify the file. */
export const GET = apiRoute('GET /api/v1/export/manifests/[id]', async ({ path }) => {
  const manifest = /^[0-9a-f-]{36}$/.test(path.id!) ? await getManifest(prisma(), path.id!) : null;
  if (!manifest) throw new NotFoundError('No finished export with this id (an export is recorded when its last byte has been sent).');
  return { manifest };
});
