import { CursorError } from '@/lib/analytics/decisions';
import { FilterError } from '@/lib/analytics/filters';
import { ExportParamError } from '@/lib/export/views';
import { FileRefusedError, type FileRefusedCode } from '@/lib/ingest/errors';
import { UploadTooLargeError } from '@/lib/ingest/ingest-file';
import { BadUploadRequestError, UploadStalledError } from '@/lib/ingest/request-body';
import { UploadRateError } from '@/lib/ingest/upload-rate';

import { BadQueryError, ForbiddenError, NotFoundError } from './errors';
import type { ApiError } from './responses';

// Every error the API answers with a 4xx, in one place: the message is written for the
// caller (it names the parameter, the limit or the file's problem). Anything else is a
// server fault: logged, and answered with a message that says nothing of the internals.

export const REFUSED_STATUS: Record<FileRefusedCode, number> = {
  empty: 400,
  corrupt_gzip: 400,
  decompression_bomb: 413,
  unsupported_format: 415,
  format_mismatch: 415,
  missing_columns: 422,
  malformed_header: 422,
};

function known(error: unknown): { status: number; body: ApiError; headers?: Record<string, string> } | null {
  if (error instanceof FilterError || error instanceof BadQueryError || error instanceof CursorError || error instanceof ExportParamError
    || error instanceof BadUploadRequestError) {
    return { status: 400, body: { error: error.message } };
  }
  if (error instanceof NotFoundError) return { status: 404, body: { error: error.message } };
  if (error instanceof ForbiddenError) return { status: 403, body: { error: error.message } };
  if (error instanceof UploadTooLargeError) return { status: 413, body: { error: error.message } };
  if (error instanceof UploadStalledError) return { status: 408, body: { error: error.message } };
  if (error instanceof FileRefusedError) return { status: REFUSED_STATUS[error.code], body: { error: error.message, code: error.code } };
  if (error instanceof UploadRateError) {
    return { status: 429, body: { error: error.message }, headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  }
  return null;
}

export function answerForError(error: unknown, failure = 'The server could not answer this request; the failure was logged.'): Response {
  const answer = known(error);
  if (answer) return Response.json(answer.body, { status: answer.status, headers: answer.headers });
  console.error('[gatewatch] request failed', error);
  return Response.json({ error: failure } satisfies ApiError, { status: 500 });
}
