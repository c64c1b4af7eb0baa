import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { BeforeCommit, IngestResult } from '@/lib/ingest/pipeline';

import { type AuditEntry, recordAudit, recordAuditOnConnection } from './record';

/**
 * An upload's audit entry: written in the batch's own transaction when the file was read
 * to the end (the batch and its entry commit together), or after the fact when there was
 * no such transaction to join (a refused file, a duplicate).
 */
export function batchAudit(actor: AuditEntry['actor'], details: { fileName: string | null; strict: boolean }, ip?: string | null) {
  const entry = (batchId: number, status: string, counts?: object): AuditEntry => ({
    actor, action: 'batch.ingest', target: `batch:${batchId}`, details: { ...details, status, ...counts }, ip,
  });
  const beforeCommit: BeforeCommit = (client, o) => recordAuditOnConnection(client, entry(o.batchId, o.status, o.counts));
  return {
    beforeCommit,
    async afterwards(prisma: PrismaClient, result: IngestResult): Promise<void> {
      if (result.status === 'duplicate' || (result.status === 'failed' && result.counts === null)) {
        await recordAudit(prisma, entry(result.batchId, result.status));
      }
    },
  };
}
