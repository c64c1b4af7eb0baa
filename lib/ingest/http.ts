import type { PrismaClient } from '@/lib/generated/prisma/client';

import { getBatch, firstRejections } from './batches';
import { FileRefusedError, type FileRefusedCode } from './errors';
import { UploadTooLargeError } from './ingest-file';
import type { IngestResult } from './pipeline';
import { BadUploadRequestError, UploadStalledError } from './request-body';
import { UploadRateError } from './upload-rate';

// One place that turns ingestion outcomes and failures into HTTP answers (always JSON).

export const ERRORS_IN_ANSWER = 1000;

const REFUSED_STATUS: Record<FileRefusedCode, number> = {
  empty: 400,
  corrupt_gzip: 400,
  decompression_bomb: 413,
  unsupported_format: 415,
  format_mismatch: 415,
  missing_columns: 422,
  malformed_header: 422,
};

export async function answerForResult(prisma: PrismaClient, result: IngestResult): Promise<Response> {
  const batch = await getBatch(prisma, result.batchId);
  if (result.status === 'duplicate') {
    return Response.json({ batch, duplicateOf: String(result.duplicateOfId) }, { status: 200 });
  }
  if (result.status === 'failed') {
    const refused = result.refused;
    if (refused instanceof FileRefusedError) {
      return Response.json(
        { error: refused.message, code: refused.code, missingColumns: refused.missingColumns, batch },
        { status: REFUSED_STATUS[refused.code] },
      );
    }
    // Failing before the first row (a stalled or oversized body): the same answer as mid-file.
    if (refused !== null) return answerForError(refused);
    // Strict mode: refused whole, with the full report.
    const errors = await firstRejections(prisma, result.batchId, ERRORS_IN_ANSWER);
    return Response.json(
      { error: result.reason, code: 'strict_mode', batch, errors: errors.map((e) => ({ line: e.line, message: e.error })) },
      { status: 422 },
    );
  }
  const errors = await firstRejections(prisma, result.batchId, ERRORS_IN_ANSWER);
  return Response.json(
    { batch, errors: errors.map((e) => ({ line: e.line, message: e.error })) },
    { status: 201, headers: { Location: `/api/v1/batches/${result.batchId}` } },
  );
}

/** Failures thrown mid-ingestion; anything else is a server error with a generic message. */
export function answerForError(error: unknown): Response {
  if (error instanceof UploadTooLargeError) return Response.json({ error: error.message }, { status: 413 });
  if (error instanceof FileRefusedError) {
    return Response.json({ error: error.message, code: error.code }, { status: REFUSED_STATUS[error.code] });
  }
  if (error instanceof BadUploadRequestError) return Response.json({ error: error.message }, { status: 400 });
  if (error instanceof UploadStalledError) return Response.json({ error: error.message }, { status: 408 });
  if (error instanceof UploadRateError) {
    return Response.json({ error: error.message }, { status: 429, headers: { 'Retry-After': String(error.retryAfterSeconds) } });
  }
  console.error('[gatewatch] ingestion failed', error);
  return Response.json({ error: 'Ingestion failed on the server; nothing was stored. Try again.' }, { status: 500 });
}
