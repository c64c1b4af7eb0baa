import { z } from 'zod';

import { batchAudit } from '@/lib/audit/batch-entry';
import { authenticateRoute } from '@/lib/auth/request';
import { db } from '@/lib/db/client';
import { env } from '@/lib/env';
import { BATCH_SORTS, listBatches } from '@/lib/ingest/batches';
import { answerForError, answerForResult } from '@/lib/ingest/http';
import { ingestFile } from '@/lib/ingest/ingest-file';
import { reportProgress } from '@/lib/ingest/progress';
import { readUploadBody } from '@/lib/ingest/request-body';
import { checkUploadRate } from '@/lib/ingest/upload-rate';
import { parsePageParams } from '@/lib/pagination';

export const dynamic = 'force-dynamic';

const UploadIdSchema = z.string().regex(/^[A-Za-z0-9-]{8,64}$/).optional();

export async function POST(request: Request): Promise<Response> {
  const principal = await authenticateRoute(request, 'POST /api/v1/batches');
  if (principal instanceof Response) return principal;
  const { GW_MAX_UPLOAD_BYTES } = env();
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > GW_MAX_UPLOAD_BYTES) {
    return Response.json(
      { error: `The file is larger than the limit of ${GW_MAX_UPLOAD_BYTES.toLocaleString('en')} bytes (GW_MAX_UPLOAD_BYTES).` },
      { status: 413 },
    );
  }
  const strict = ['1', 'true', 'yes'].includes(new URL(request.url).searchParams.get('strict') ?? '');
  const uploadId = UploadIdSchema.safeParse(request.headers.get('x-upload-id') ?? undefined).data;
  const ownerId = principal.kind === 'user' ? principal.user.id : principal.token.id;
  const { pool, prisma } = db();
  try {
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
    return await answerForResult(prisma, result);
  } catch (error) {
    return answerForError(error);
  }
}

export async function GET(request: Request): Promise<Response> {
  const principal = await authenticateRoute(request, 'GET /api/v1/batches');
  if (principal instanceof Response) return principal;
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const page = parsePageParams(params, BATCH_SORTS, '-startedAt', Math.min(500, Math.max(1, Number(params.pageSize) || 50)));
  const { rows, total } = await listBatches(db().prisma, page);
  return Response.json({ batches: rows, page: page.page, pageSize: page.pageSize, total });
}
