import { authenticateRoute } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';
import { getBatch, rejectionsCsv } from '@/lib/ingest/batches';

export const dynamic = 'force-dynamic';

/** Every rejected row of a batch, with its original values, `line` and `error`. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const principal = await authenticateRoute(request, 'GET /api/v1/batches/[id]/errors.csv');
  if (principal instanceof Response) return principal;
  const id = Number((await params).id);
  const batch = Number.isSafeInteger(id) && id > 0 ? await getBatch(prisma(), id) : null;
  if (!batch) return Response.json({ error: `There is no batch ${(await params).id}.` }, { status: 404 });
  const rows = rejectionsCsv(prisma(), id);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
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
  return new Response(stream, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="batch-${id}-${base}-rejected.csv"`,
      'X-Row-Count': String(batch.rejected),
    },
  });
}
