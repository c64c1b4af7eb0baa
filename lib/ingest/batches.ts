import { NotFoundError } from '@/lib/api/errors';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { IngestBatch } from '@/lib/generated/prisma/client';

import { csvRow } from '@/lib/export/csv';

import { FIELD_NAMES } from './fields';

// Reading batches back: the JSON shape shared by the HTTP API and the uploads page, the
// history list, and the rejected rows of one batch.

export interface BatchJson {
  id: number;
  fileName: string;
  status: IngestBatch['status'];
  failureReason: string | null;
  duplicateOf: number | null;
  sha256: string | null;
  bytes: number;
  format: IngestBatch['format'];
  compressed: boolean;
  strict: boolean;
  source: IngestBatch['source'];
  rows: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  conflicts: number;
  unknownColumns: string[];
  uploadedBy: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

type BatchWithUploader = IngestBatch & { uploadedBy: { email: string } | null; token: { name: string } | null };

const withUploader = { uploadedBy: { select: { email: true } }, token: { select: { name: true } } } as const;

export function batchToJson(b: BatchWithUploader): BatchJson {
  return {
    id: b.id,
    fileName: b.fileName,
    status: b.status,
    failureReason: b.failureReason,
    duplicateOf: b.duplicateOfId,
    sha256: b.sha256,
    bytes: Number(b.bytes),
    format: b.format,
    compressed: b.compressed,
    strict: b.strict,
    source: b.source,
    rows: b.rows,
    accepted: b.accepted,
    rejected: b.rejected,
    duplicates: b.duplicates,
    conflicts: b.conflicts,
    unknownColumns: b.unknownColumns,
    uploadedBy: b.uploadedBy?.email ?? (b.token ? `token:${b.token.name}` : b.source === 'cli' || b.source === 'seed' ? b.source : null),
    startedAt: b.startedAt.toISOString(),
    finishedAt: b.finishedAt?.toISOString() ?? null,
    durationMs: b.durationMs,
  };
}

export async function getBatch(prisma: PrismaClient, id: number): Promise<BatchJson | null> {
  const b = await prisma.ingestBatch.findUnique({ where: { id }, include: withUploader });
  return b ? batchToJson(b) : null;
}

/** The batch a path segment names, or NotFoundError. */
export async function requireBatch(prisma: PrismaClient, idText: string): Promise<BatchJson> {
  const id = /^[1-9][0-9]{0,15}$/.test(idText) ? Number(idText) : NaN;
  const batch = Number.isSafeInteger(id) ? await getBatch(prisma, id) : null;
  if (!batch) throw new NotFoundError(`There is no batch ${idText}.`);
  return batch;
}

export const BATCH_SORTS = ['startedAt', 'fileName', 'status', 'rows', 'rejected'] as const;
export type BatchSort = (typeof BATCH_SORTS)[number];

export async function listBatches(
  prisma: PrismaClient,
  options: { page: number; pageSize: number; column: BatchSort; desc: boolean },
): Promise<{ rows: BatchJson[]; total: number }> {
  const [rows, total] = await Promise.all([
    prisma.ingestBatch.findMany({
      orderBy: [{ [options.column]: options.desc ? 'desc' : 'asc' }, { id: 'desc' }],
      skip: (options.page - 1) * options.pageSize,
      take: options.pageSize,
      include: withUploader,
    }),
    prisma.ingestBatch.count(),
  ]);
  return { rows: rows.map(batchToJson), total };
}

export interface RejectedRow {
  line: number;
  error: string;
  original: Record<string, string>;
}

export async function firstRejections(prisma: PrismaClient, batchId: number, limit: number): Promise<RejectedRow[]> {
  const rows = await prisma.batchRejection.findMany({ where: { batchId }, orderBy: { line: 'asc' }, take: limit });
  return rows.map((r) => ({ line: r.line, error: r.error, original: r.original as Record<string, string> }));
}

export async function firstConflicts(prisma: PrismaClient, batchId: number, limit: number) {
  return prisma.batchConflict.findMany({ where: { batchId }, orderBy: { line: 'asc' }, take: limit });
}

/** Columns of the rejected-rows CSV: line, error, then known fields in spec order, then the rest. */
async function rejectionColumns(prisma: PrismaClient, batchId: number): Promise<string[]> {
  const keys = await prisma.$queryRaw<{ key: string }[]>`
    SELECT DISTINCT jsonb_object_keys(original) AS key FROM batch_rejections WHERE batch_id = ${batchId}`;
  const canonical = (k: string) => k.trim().toLowerCase().replace(/[\s-]+/g, '_');
  const rank = (k: string) => {
    const i = (FIELD_NAMES as readonly string[]).indexOf(canonical(k));
    return i === -1 ? FIELD_NAMES.length : i;
  };
  return keys.map((k) => k.key).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Every rejected row of a batch as CSV (original values plus `line` and `error`), read in
 * keyset pages so memory stays flat however many rows were rejected.
 */
export async function* rejectionsCsv(prisma: PrismaClient, batchId: number): AsyncGenerator<string> {
  const columns = await rejectionColumns(prisma, batchId);
  yield csvRow(['line', 'error', ...columns]);
  let after = 0;
  for (;;) {
    const page = await prisma.batchRejection.findMany({
      where: { batchId, line: { gt: after } },
      orderBy: { line: 'asc' },
      take: 5000,
    });
    if (page.length === 0) return;
    let chunk = '';
    for (const r of page) {
      const original = r.original as Record<string, string>;
      chunk += csvRow([r.line, r.error, ...columns.map((c) => original[c] ?? '')]);
    }
    yield chunk;
    after = page[page.length - 1]!.line;
  }
}
