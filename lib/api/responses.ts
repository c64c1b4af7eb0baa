import type { AccountListRow } from '@/lib/analytics/accounts';
import type { BreakdownRow } from '@/lib/analytics/breakdown';
import type { DecisionPage } from '@/lib/analytics/decisions';
import type { DivergenceRow } from '@/lib/analytics/divergence';
import type { Bucket, GroupBy } from '@/lib/analytics/filters';
import type { Summary } from '@/lib/analytics/summary';
import type { SeriesPoint } from '@/lib/analytics/time-series';
import type { ViolationAccountRow } from '@/lib/analytics/violation-accounts';
import type { ViolationPoint, ViolationRecord, ViolationSummary } from '@/lib/analytics/violations';
import type { ExportManifest } from '@/lib/export/run';
import type { FileRefusedCode } from '@/lib/ingest/errors';
import type { BatchJson } from '@/lib/ingest/batches';
import type { UploadProgress } from '@/lib/ingest/progress';

// The answer of every app/api/v1 route, declared once: lib/api/route.ts's apiRoute only
// accepts a handler whose result is its route's type (and needs a type here for every
// route of the access matrix), so a change to a response is a compile error until this
// file (and the README's description) say so. Dates are instants on the wire (ISO 8601
// strings): `Json<T>` is what a client receives. Errors are ApiError, with a 4xx or 500.

interface Range {
  from: Date;
  to: Date;
}

interface Paged<Row> {
  rows: Row[];
  total: number;
  page: number;
  pageSize: number;
}

/** Every error answer's body. */
export interface ApiError {
  error: string;
  /** Why a file was refused, for clients to act on without parsing the message. */
  code?: FileRefusedCode | 'strict_mode';
}

/** A file sent as an attachment, streamed as it is made. */
export interface FileDownload {
  kind: 'file';
  body: ReadableStream<Uint8Array>;
  contentType: 'text/csv; charset=utf-8' | 'application/zip';
  fileName: string;
  headers?: Record<string, string>;
}

export interface RowError {
  line: number;
  message: string;
}

/** POST /api/v1/batches: 201 stored (with the first rejected rows), 200 already stored, or refused whole. */
export type IngestAnswer =
  | { batch: BatchJson; errors: RowError[] }
  | { batch: BatchJson; duplicateOf: string }
  | (ApiError & { batch?: BatchJson | null; missingColumns?: readonly string[]; errors?: RowError[] });

export interface ApiResponses {
  'GET /api/v1/summary': Range & Summary;
  'GET /api/v1/timeseries': Range & { tz: string; bucket: Bucket; rows: SeriesPoint[] };
  'GET /api/v1/breakdown': Range & { by: GroupBy; by2: GroupBy | null; rows: BreakdownRow[] };
  'GET /api/v1/accounts': Paged<AccountListRow>;
  'GET /api/v1/decisions': DecisionPage;
  'GET /api/v1/violations': Range & ViolationSummary & Paged<ViolationRecord>;
  'GET /api/v1/violations/accounts': Paged<ViolationAccountRow>;
  'GET /api/v1/violations/timeseries': { bucket: Bucket; points: ViolationPoint[] };
  'GET /api/v1/divergence': Range & Paged<DivergenceRow>;
  'GET /api/v1/evidence': FileDownload;
  'GET /api/v1/batches': { batches: BatchJson[]; total: number; page: number; pageSize: number };
  'POST /api/v1/batches': IngestAnswer;
  'GET /api/v1/batches/[id]': { batch: BatchJson };
  'GET /api/v1/batches/[id]/errors.csv': FileDownload;
  'GET /api/v1/uploads/[uploadId]/progress': { progress: UploadProgress };
  'GET /api/v1/export/[file]': FileDownload;
  'GET /api/v1/export/manifests/[id]': { manifest: ExportManifest };
}

/** A response as a client parses it: instants become ISO 8601 strings. */
export type Json<T> = T extends Date ? string : T extends (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
