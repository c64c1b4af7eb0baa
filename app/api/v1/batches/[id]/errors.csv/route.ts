import { apiRoute } from '@/lib/api/route';
import { prisma } from '@/lib/db/client';
import { rejectionsCsv, requireBatch } from '@/lib/ingest/batches';

export const dynamic = 'force-dynamic';

/** Every rejected row of a batch, with its original values, `line` and `error`. */
export const GET = apiRoute('GET /api/v1/batches/[id]/errors.csv', async ({ path }) => {
  const batch = await requireBatch(prisma(), path.id!);
  const rows = rejectionsCsv(prisma(), batch.id);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await rows.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
  const base = batch.fileName.replace(/\.(csv|ndjson|jsonl)(\.gz)?$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_');
  return {
    kind: 'file', body, contentType: 'text/csv; charset=utf-8', fileName: `batch-${batch.id}-${base}-rejected.csv`,
    headers: { 'X-Row-Count': String(batch.rejected) },
  };
});
