import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';

import type pg from 'pg';

import { breakdown } from '@/lib/analytics/breakdown';
import { filtersToSearchParams, type Filters, defaultBucket } from '@/lib/analytics/filters';
import { rawSpanWhere } from '@/lib/analytics/filter-sql';
import { summary } from '@/lib/analytics/summary';
import { timeSeries } from '@/lib/analytics/time-series';
import { violationSummary } from '@/lib/analytics/violations';
import { readChainHead } from '@/lib/audit/chain';
import { recordAudit } from '@/lib/audit/record';
import { type Principal, principalLabel } from '@/lib/auth/principal';
import { fileStamp } from '@/lib/export/run';
import { streamCsv } from '@/lib/export/stream';
import { BATCH_UPLOADER, BATCH_UPLOADER_JOINS, EXPORT_VIEWS, type ExportPlan, type ExportViewName } from '@/lib/export/views';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';

import { renderSummaryHtml } from './summary-html';
import { type Manifest, type PackEntry, writeEvidencePack } from './zip-pack';

// The evidence pack: for the current filters, one zip with every CSV a reviewer needs
// (decisions, breakdowns, violations, divergence, the policies in force, the batches the
// rows came from), a printable summary and a manifest of every file's SHA-256, who made
// it, when, and the audit chain's head at that moment. Entries are produced one after
// another as the zip streams out: the decisions CSV comes straight from COPY, so a pack of
// ten million decisions is never held in memory. The pack is recorded in the audit trail
// once its last byte has gone out, with the manifest's file hashes.

interface PackDb {
  prisma: PrismaClient;
  pool: pg.Pool;
}

export function evidencePackName(filters: Filters, at: Date): string {
  return `gatewatch-evidence-${fileStamp(filters.from)}_to_${fileStamp(filters.to)}-generated-${fileStamp(at)}Z.zip`;
}

function csvEntry(db: PackDb, name: string, plan: () => Promise<ExportPlan>): PackEntry {
  return {
    name,
    open: async () => {
      const p = await plan();
      const { body } = streamCsv(db.pool, p.source, p.header, p.toValues);
      return Readable.fromWeb(body as unknown as NodeWebStream<Uint8Array>);
    },
  };
}

/** The batches that stored the range's decisions (with the filters), and how many of them each holds. */
function batchesPlan(filters: Filters): ExportPlan {
  return {
    header: ['batch_id', 'file_name', 'sha256', 'source', 'uploaded_by', 'started_at', 'finished_at', 'decisions_in_pack'],
    source: {
      kind: 'query',
      sql: Prisma.sql`SELECT b.id, b.file_name, b.sha256, b.source, ${BATCH_UPLOADER} AS who, b.started_at, b.finished_at, c.n
                        FROM (SELECT batch_id, count(*) AS n FROM access_decisions WHERE ${rawSpanWhere(filters, filters)} GROUP BY batch_id) c
                        JOIN ingest_batches b ON b.id = c.batch_id ${BATCH_UPLOADER_JOINS}
                       ORDER BY b.id`,
    },
    toValues: (b) => [b.id, b.file_name, b.sha256, b.source, b.who, b.started_at.toISOString(), b.finished_at?.toISOString(), b.n],
  };
}

export interface EvidencePack {
  fileName: string;
  stream: Readable;
  manifest: Promise<Manifest>;
}

/** Starts a pack for the filters; the stream is the zip's bytes. */
export async function startEvidencePack(db: PackDb, principal: Principal, filters: Filters): Promise<EvidencePack> {
  const generatedAt = new Date();
  const head = await readChainHead(db.prisma);
  const query = filtersToSearchParams(filters);
  const params = new URLSearchParams(query);
  const view = (name: ExportViewName, extra: Record<string, string> = {}) => () => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    return EXPORT_VIEWS[name].plan(db.prisma, filters, p);
  };
  const bucket = defaultBucket(filters.from, filters.to);
  const entries: PackEntry[] = [
    {
      name: 'summary.html',
      open: async () => {
        const [totals, series, regions, providers, channels, violations] = await Promise.all([
          summary(db.prisma, filters), timeSeries(db.prisma, filters, bucket), breakdown(db.prisma, filters, 'region'),
          breakdown(db.prisma, filters, 'provider'), breakdown(db.prisma, filters, 'channel'), violationSummary(db.prisma, filters),
        ]);
        return Readable.from([renderSummaryHtml({
          filters, generatedAt, generatedBy: principalLabel(principal), auditHead: { count: Number(head.count), hash: head.hash },
          totals, series, bucket, regions, providers, channels, violations,
        })]);
      },
    },
    csvEntry(db, 'decisions.csv', view('decisions')),
    csvEntry(db, 'timeseries.csv', view('timeseries', { bucket })),
    csvEntry(db, 'breakdown-region.csv', view('breakdown', { by: 'region' })),
    csvEntry(db, 'breakdown-provider.csv', view('breakdown', { by: 'provider' })),
    csvEntry(db, 'breakdown-channel.csv', view('breakdown', { by: 'channel' })),
    csvEntry(db, 'breakdown-region-channel.csv', view('breakdown', { by: 'region', by2: 'channel' })),
    csvEntry(db, 'violations.csv', view('violations')),
    csvEntry(db, 'violation-accounts.csv', view('violation-accounts')),
    csvEntry(db, 'divergence.csv', view('divergence')),
    csvEntry(db, 'policies.csv', view('policies')),
    csvEntry(db, 'batches.csv', async () => batchesPlan(filters)),
  ];
  const meta = {
    generatedAt: generatedAt.toISOString(),
    generatedBy: principalLabel(principal),
    filters: { query: query.toString(), from: filters.from.toISOString(), to: filters.to.toISOString(), tz: filters.tz },
    auditHead: { count: Number(head.count), hash: head.hash },
  };
  const { stream, manifest } = writeEvidencePack(entries, meta);
  const fileName = evidencePackName(filters, generatedAt);
  manifest.then(
    (m) => recordAudit(db.prisma, { actor: principal, action: 'evidence.export', target: `evidence:${fileName}`,
      details: { complete: true, filters: meta.filters.query, from: meta.filters.from, to: meta.filters.to, auditHead: meta.auditHead, files: m.files } }),
    (error: Error) => recordAudit(db.prisma, { actor: principal, action: 'evidence.export', target: `evidence:${fileName}`,
      details: { complete: false, filters: meta.filters.query, error: error.message } }),
  ).catch((error: unknown) => console.error('[gatewatch] could not record an evidence pack in the audit trail', error));
  return { fileName, stream, manifest };
}
