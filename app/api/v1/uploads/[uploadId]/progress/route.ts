import { authenticateRoute } from '@/lib/auth/request';
import { readProgress } from '@/lib/ingest/progress';

export const dynamic = 'force-dynamic';

/** Live progress of one of the caller's own uploads (rows processed, phase). */
export async function GET(request: Request, { params }: { params: Promise<{ uploadId: string }> }): Promise<Response> {
  const principal = await authenticateRoute(request, 'GET /api/v1/uploads/[uploadId]/progress');
  if (principal instanceof Response) return principal;
  const ownerId = principal.kind === 'user' ? principal.user.id : principal.token.id;
  const progress = readProgress((await params).uploadId, ownerId);
  if (!progress) return Response.json({ error: 'No upload in progress with this id.' }, { status: 404 });
  return Response.json({ progress });
}
