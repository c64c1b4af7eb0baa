import { authenticateRoute } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';
import { getBatch } from '@/lib/ingest/batches';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const principal = await authenticateRoute(request, 'GET /api/v1/batches/[id]');
  if (principal instanceof Response) return principal;
  const id = Number((await params).id);
  const batch = Number.isSafeInteger(id) && id > 0 ? await getBatch(prisma(), id) : null;
  if (!batch) return Response.json({ error: `There is no batch ${(await params).id}.` }, { status: 404 });
  return Response.json({ batch });
}
