import { authenticateRoute } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';
import { getManifest } from '@/lib/export/run';

export const dynamic = 'force-dynamic';

/** Row count and SHA-256 of a finished export, for recipients to verify the file. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const principal = await authenticateRoute(request, 'GET /api/v1/export/manifests/[id]');
  if (principal instanceof Response) return principal;
  const id = (await params).id;
  const manifest = /^[0-9a-f-]{36}$/.test(id) ? await getManifest(prisma(), id) : null;
  if (!manifest) return Response.json({ error: 'No finished export with this id (an export is recorded when its last byte has been sent).' }, { status: 404 });
  return Response.json({ manifest });
}
