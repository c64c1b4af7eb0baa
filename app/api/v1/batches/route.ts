import { z } from 'zod';

import { apiRoute, reply } from '@/lib/api/route';
import { batchAudit } from '@/lib/audit/batch-entry';
import { db } from '@/lib/db/client';
import { env } from '@/lib/env';
import { BATCH_SORTS, listBatches } from '@/lib/ingest/batches';
import { answerForResult } from '@/lib/ingest/http';
import { ingestFile } from '@/lib/ingest/ingest-file';
import { reportProgress } from '@/lib/ingest/progress';
import { readUploadBody } from '@/lib/ingest/request-body';
import { checkUploadRate } from '@/lib/ingest/upload-rate';
import { parsePageParams } from '@/lib/pagination';

export const dynamic = 'force-dynamic';

const UploadIdSchema = z.string().regex(/^[A-Za-z0-9-]{8,64}$/).optional();

export const POST = apiRoute('POST /api/v1/batches', async ({ request, principal, params }) => {
  const { GW_MAX_UPLOAD_BYTES } = env();
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > GW_MAX_UPLOAD_BYTES) {
    return reply(413, { error: `The file is larger than the limit of ${GW_MAX_UPLOAD_BYTES.toLocaleString('en')} bytes (GW_MAX_UPLOAD_BYTES).` });
  }
  const strict = ['1', 'true', 'yes'].includes(params.get('strict') ?? '');
  const uploadId = UploadIdSchema.safeParse(request.headers.get('x-upload-id') ?? undefined).data;
  const ownerId = principal.kind === 'user' ? principal.user.id : principal.token.id;
  const { pool, prisma } = db();
  await checkUploadRate(prisma, principal);
  const body = await readUploadBody(request);
  const audit = batchAudit(principal, { fileName: body.hints.filename ?? null, strict });
  const result = await ingestFile(pool, body.stream, body.hints, {
    batch: {
      fileName: body.hints.filename ?? 'upload',
      source: principal.kind === 'user' ? 'browser' : 'api',
      strict,
      uploadedById: principal.kind === 'user' ? principal.user.id : null,
      tokenId: principal.kind === 'token' ? principal.token.id : null,
    },
    strict,
    maxBytes: GW_MAX_UPLOAD_BYTES,
    onProgress: uploadId ? (p) => reportProgress(uploadId, ownerId, p) : undefined,
    beforeCommit: audit.beforeCommit,
  });
  await audit.afterwards(prisma, result);
  return answerForResult(prisma, result);
}, { failure: 'Ingestion failed on the server; nothing was stored. Try again.' });

export const GET = apiRoute('GET /api/v1/batches', async ({ params }) => {
  const query = Object.fromEntries(params);
  const page = parsePageParams(query, BATCH_SORTS, '-startedAt', Math.min(500, Math.max(1, Number(query.pageSize) || 50)));
  const { rows, total } = await listBatches(db().prisma, page);
  return { batches: rows, page: page.page, pageSize: page.pageSize, total };
});
