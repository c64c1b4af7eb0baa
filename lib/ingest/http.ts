import { REFUSED_STATUS } from '@/lib/api/error-answers';
import type { IngestAnswer } from '@/lib/api/responses';
import { reply, type Reply } from '@/lib/api/route';
import type { PrismaClient } from '@/lib/generated/prisma/client';

import { getBatch, firstRejections } from './batches';
import { FileRefusedError } from './errors';
import type { IngestResult } from './pipeline';

// A finished ingestion as the API's answer: stored (201, with the first rejected rows),
// already stored (200), or refused whole (4xx, with the batch's record). Failures thrown
// mid-ingestion are answered by lib/api/error-answers.ts.

export const ERRORS_IN_ANSWER = 1000;

export async function answerForResult(prisma: PrismaClient, result: IngestResult): Promise<Reply<IngestAnswer>> {
  const batch = await getBatch(prisma, result.batchId);
  if (result.status === 'duplicate') return reply(200, { batch: batch!, duplicateOf: String(result.duplicateOfId) });
  if (result.status === 'failed') {
    const refused = result.refused;
    if (refused instanceof FileRefusedError) {
      return reply(REFUSED_STATUS[refused.code], { error: refused.message, code: refused.code, missingColumns: refused.missingColumns, batch });
    }
    // Failing before the first row (a stalled or oversized body): the same answer as mid-file.
    if (refused !== null) throw refused;
    // Strict mode: refused whole, with the full report.
    const errors = await firstRejections(prisma, result.batchId, ERRORS_IN_ANSWER);
    return reply(422, { error: result.reason, code: 'strict_mode', batch, errors: errors.map((e) => ({ line: e.line, message: e.error })) });
  }
  const errors = await firstRejections(prisma, result.batchId, ERRORS_IN_ANSWER);
  return reply(201, { batch: batch!, errors: errors.map((e) => ({ line: e.line, message: e.error })) }, { Location: `/api/v1/batches/${result.batchId}` });
}
