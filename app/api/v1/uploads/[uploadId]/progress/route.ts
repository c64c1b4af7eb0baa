import { NotFoundError } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { readProgress } from '@/lib/ingest/progress';

export const dynamic = 'force-dynamic';

/** Live progress of one of the caller's own uploads (rows processed, phase). */
export const GET = apiRoute('GET /api/v1/uploads/[uploadId]/progress', async ({ principal, path }) => {
  const ownerId = principal.kind === 'user' ? principal.user.id : principal.token.id;
  const progress = readProgress(path.uploadId!, ownerId);
  if (!progress) throw new NotFoundError('No upload in progress with this id.');
  return { progress };
});
