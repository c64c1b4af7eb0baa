import { randomUUID } from 'node:crypto';

import type pg from 'pg';

import { filtersToSearchParams, type Filters } from '@/lib/analytics/filters';
import type { FileDownload } from '@/lib/api/responses';
import { recordAudit } from '@/lib/audit/record';
import type { Principal } from '@/lib/auth/principal';
import type { PrismaClient } from '@/lib/generated/prisma/client';

import { streamCsv } from './stream';
import { EXPORT_VIEWS, type ExportViewName } from './views';

/** An instant as it appears in file names: 20241001-000000. */
export const fileStamp = (d: Date) => d.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');

/** The file name says what it is: view, range and time of export. */
export function exportFileName(view: ExportViewName, filters: Filters, at: Date): string {
  const range = view === 'batches' || view === 'audit' ? 'all' : `${fileStamp(filters.from)}_to_${fileStamp(filters.to)}`;
  return `gatewatch-${view}-${range}-exported-${fileStamp(at)}Z.csv`;
}

/**
 * Starts a CSV export and returns the file to send at once; when the last byte has gone
 * out, the audit trail records who exported what, the row count and the SHA-256 of the
 * bytes, which the manifest endpoint serves so a recipient can verify the file.
 */
export async function startExport(
  db: { prisma: PrismaClient; pool: pg.Pool },
  principal: Principal,
  view: ExportViewName,
  filters: Filters,
  params: URLSearchParams,
): Promise<FileDownload> {
  const plan = await EXPORT_VIEWS[view].plan(db.prisma, filters, params);
  const bom = ['1', 'true', 'yes'].includes(params.get('bom') ?? '');
  const exportId = randomUUID();
  const at = new Date();
  const { body, done } = streamCsv(db.pool, plan.source, plan.header, plan.toValues, { bom });
  const fileName = exportFileName(view, filters, at);
  const query = new URLSearchParams(params);
  query.delete('bom');
  const details = { exportId, view, fileName, query: query.toString(), filters: filtersToSearchParams(filters).toString() };
  done.then(
    (result) => recordAudit(db.prisma, { actor: principal, action: 'export.csv', target: `export:${exportId}`,
      details: { ...details, complete: true, rows: result.rows, bytes: result.bytes, sha256: result.sha256 } }),
    (error: Error) => recordAudit(db.prisma, { actor: principal, action: 'export.csv', target: `export:${exportId}`,
      details: { ...details, complete: false, error: error.message } }),
  ).catch((error: unknown) => console.error('[gatewatch] could not record an export in the audit trail', error));
  return {
    kind: 'file', body, contentType: 'text/csv; charset=utf-8', fileName,
    headers: { 'X-Export-Id': exportId, Link: `</api/v1/export/manifests/${exportId}>; rel="describedby"` },
  };
}

export interface ExportManifest {
  exportId: string;
  complete: boolean;
  view: string;
  fileName: string;
  rows?: number;
  bytes?: number;
  sha256?: string;
  query: string;
  exportedBy: string;
  exportedAt: string;
}

export async function getManifest(prisma: PrismaClient, exportId: string): Promise<ExportManifest | null> {
  const event = await prisma.auditEvent.findFirst({ where: { action: 'export.csv', target: `export:${exportId}` } });
  if (!event) return null;
  const d = event.details as Record<string, unknown>;
  return {
    exportId,
    complete: d.complete === true,
    view: String(d.view),
    fileName: String(d.fileName),
    ...(typeof d.rows === 'number' ? { rows: d.rows } : {}),
    ...(typeof d.bytes === 'number' ? { bytes: d.bytes } : {}),
    ...(typeof d.sha256 === 'string' ? { sha256: d.sha256 } : {}),
    query: String(d.query ?? ''),
    exportedBy: event.actorLabel,
    exportedAt: event.at.toISOString(),
  };
}
