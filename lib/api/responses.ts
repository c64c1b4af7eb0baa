import type { AccountListRow } from '@/lib/analytics/accounts';
import type { BreakdownRow } from '@/lib/analytics/breakdown';
import type { DecisionPage } from '@/lib/analytics/decisions';
import type { DivergenceRow } from '@/lib/analytics/divergence';
import type { Bucket, GroupBy } from '@/lib/analytics/filters';
import type { Summary } from '@/lib/analytics/summary';
import type { SeriesPoint } from '@/lib/analytics/time-series';
import type { ViolationAccountRow, ViolationPoint, ViolationRecord, ViolationSummary } from '@/lib/analytics/violations';

// The JSON body of every analytics API route, declared once: lib/analytics/http.ts's
// analyticsGet only accepts a handler whose result is its route's type, so a change to a
// response is a compile error until this file (and the README's description) say so.
// Dates are instants on the wire (ISO 8601 strings): `Json<T>` is what a client receives.

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
}
export type AnalyticsRoute = keyof ApiResponses;

/** A response as a client parses it: instants become ISO 8601 strings. */
export type Json<T> = T extends Date ? string : T extends (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
