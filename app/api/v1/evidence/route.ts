import { Readable } from 'node:stream';

import { answerForQueryError, filtersFromRequest } from '@/lib/analytics/http';
import { authenticateRoute } from '@/lib/auth/request';
import { db } from '@/lib/db/client';
import { startEvidencePack } from '@/lib/evidence/pack';

export const dynamic = 'force-dynamic';

/** GET /api/v1/evidence?<filters>: the evidence pack (zip) for the filters, streamed. */
export async function GET(request: Request): Promise<Response> {
  const principal = await authenticateRoute(request, 'GET /api/v1/evidence');
  if (principal instanceof Response) return principal;
  try {
    const { filters } = filtersFromRequest(request);
    const pack = await startEvidencePack(db(), principal, filters);
    return new Response(Readable.toWeb(pack.stream) as ReadableStream<Uint8Array>, {
      headers: {
        'Content-Type': 'application/zip',
        'Content-Disposition': `attachment; filename="${pack.fileName}"`,
        'Cache-Control': 'no-store',
      },
    });
  } catch (error) {
    return answerForQueryError(error);
  }
}
