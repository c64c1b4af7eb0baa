import { Readable } from 'node:stream';

import { analyticsGet } from '@/lib/analytics/http';
import { db } from '@/lib/db/client';
import { startEvidencePack } from '@/lib/evidence/pack';

export const dynamic = 'force-dynamic';

/** GET /api/v1/evidence?<filters>: the evidence pack (zip) for the filters, streamed. */
export const GET = analyticsGet('GET /api/v1/evidence', async ({ filters, principal }) => {
  const pack = await startEvidencePack(db(), principal, filters);
  return { kind: 'file', body: Readable.toWeb(pack.stream) as ReadableStream<Uint8Array>, contentType: 'application/zip', fileName: pack.fileName };
});
