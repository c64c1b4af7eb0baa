import { z } from 'zod';

import { accountsSql, ACCOUNT_SORTS, toAccountListRow, type AccountSqlRow } from '@/lib/analytics/accounts';
import { breakdown } from '@/lib/analytics/breakdown';
import { decisionLogSql } from '@/lib/analytics/decisions';
import { BucketSchema, defaultBucket, GroupBySchema, type Filters } from '@/lib/analytics/filters';
import { timeSeries } from '@/lib/analytics/time-series';
import { DIVERGENCE_SORTS, divergenceFilters, type DivergenceRow, type DivergenceSort, everyDivergence } from '@/lib/analytics/divergence';
import { toViolationAccountRow, VIOLATION_ACCOUNT_SORTS, violationAccountsSql, type ViolationAccountSort } from '@/lib/analytics/violation-accounts';
import { violationListSql, type ViolationRecord } from '@/lib/analytics/violations';
import { AuditFilterError, auditWhereSql, parseAuditFilter } from '@/lib/audit/list';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import type { Role } from '@/lib/generated/prisma/enums';

import { spreadsheetSafe } from './copy-query';
import type { RowSource } from './stream';

// What each export contains: exactly the rows and order of its view for the same URL
// parameters, every row (never only the visible page). Column orders are documented in
// the README and must stay stable.

export class ExportParamError extends Error {}

type Value = string | number | boolean | null | undefined;

export interface ExportPlan {
  header: string[];
  source: RowSource<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  toValues: (row: any) => Value[]; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface ExportView {
  /** Raw decisions need analyst; aggregates are open to viewers. */
  minRole: Role;
  plan(prisma: PrismaClient, filters: Filters, params: URLSearchParams): Promise<ExportPlan>;
}

function param<T>(params: URLSearchParams, name: string, schema: z.ZodType<T>, fallback: T): T {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ExportParamError(`${name} "${raw}" is not valid`);
  return parsed.data;
}

const localTimeColumn = (tz: string) => (tz === 'UTC' ? [] : [`occurred_at_${tz.replace(/[^A-Za-z0-9]+/g, '_').toLowerCase()}`]);

const DECISION_COLUMNS = ['request_id', 'account_id', 'account_name', 'caller_region', 'serving_region', 'provider', 'channel',
  'decision', 'reason', 'policy_version', 'model', 'batch_id', 'batch_line'] as const;

const decisions: ExportView = {
  minRole: 'analyst',
  async plan(_prisma, filters, params) {
    const local = filters.tz !== 'UTC';
    // PostgreSQL formats this export itself (COPY ... CSV): spreadsheet safety is applied
    // in SQL to every free-text column; slugs, region codes and decisions cannot start a formula.
    const columns = Prisma.sql`to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      ${local ? Prisma.sql`to_char(occurred_at, 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM'),` : Prisma.empty}
      ${spreadsheetSafe('request_id')}, ${spreadsheetSafe('account_id')}, ${spreadsheetSafe('account_name')},
      trim(caller_region), ${spreadsheetSafe('serving_region')}, provider, channel, decision,
      ${spreadsheetSafe('reason')}, ${spreadsheetSafe('policy_version')}, ${spreadsheetSafe('model')}, batch_id, batch_line`;
    return {
      header: ['occurred_at', ...localTimeColumn(filters.tz), ...DECISION_COLUMNS],
      source: {
        kind: 'copy',
        // The local-time column is formatted by PostgreSQL in the chosen zone, offset included.
        setup: local ? [Prisma.sql`SELECT set_config('TimeZone', ${filters.tz}, true)`] : [],
        sql: decisionLogSql(filters, { accountId: params.get('account') ?? undefined, columns }),
      },
      toValues: () => [],
    };
  },
};

const accounts: ExportView = {
  minRole: 'viewer',
  async plan(_prisma, filters, params) {
    const sort = param(params, 'sort', z.string().regex(new RegExp(`^-?(${ACCOUNT_SORTS.join('|')})$`)), '-total');
    return {
      header: ['account_id', 'account_name', 'allowed', 'blocked', 'total', 'block_rate', 'regions', 'channels', 'first_seen', 'last_seen'],
      source: {
        kind: 'query',
        sql: accountsSql(filters, {
          search: params.get('q') ?? params.get('search') ?? undefined, // the Accounts page calls it q
          column: sort.replace(/^-/, '') as (typeof ACCOUNT_SORTS)[number],
          desc: sort.startsWith('-'),
        }),
      },
      toValues: (raw: AccountSqlRow) => {
        const r = toAccountListRow(raw);
        return [r.id, r.name, r.allowed, r.blocked, r.total, r.blockRate?.toFixed(6), r.regions.join(' '), r.channels.join(' '), r.firstSeen, r.lastSeen];
      },
    };
  },
};

const breakdownView: ExportView = {
  minRole: 'viewer',
  async plan(prisma, filters, params) {
    const by = param(params, 'by', GroupBySchema, 'region');
    const by2 = params.get('by2') ? param(params, 'by2', GroupBySchema, 'region') : undefined;
    const rows = await breakdown(prisma, filters, by, by2 && by2 !== by ? by2 : undefined);
    const two = Boolean(by2 && by2 !== by);
    return {
      header: [by, ...(two ? [by2!] : []), 'allowed', 'blocked', 'total', 'block_rate'],
      source: { kind: 'rows', rows },
      toValues: (r) => [r.key, ...(two ? [r.key2] : []), r.allowed, r.blocked, r.total, r.blockRate?.toFixed(6)],
    };
  },
};

const timeseries: ExportView = {
  minRole: 'viewer',
  async plan(prisma, filters, params) {
    const bucket = param(params, 'bucket', BucketSchema, defaultBucket(filters.from, filters.to));
    const rows = await timeSeries(prisma, filters, bucket);
    const local = filters.tz !== 'UTC';
    const fmt = new Intl.DateTimeFormat('sv-SE', { timeZone: filters.tz, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    return {
      header: ['bucket_start', ...(local ? [`bucket_start_${filters.tz.replace(/[^A-Za-z0-9]+/g, '_').toLowerCase()}`] : []), 'allowed', 'blocked', 'total'],
      source: { kind: 'rows', rows },
      toValues: (r) => [r.bucket, ...(local ? [fmt.format(new Date(r.bucket)).replace(' ', 'T')] : []), r.allowed, r.blocked, r.total],
    };
  },
};

/** Who sent a batch (`b`): the uploader's email, the token's name, or the source. */
export const BATCH_UPLOADER = Prisma.sql`coalesce(u.email, 'token:' || t.name, b.source::text)`;
export const BATCH_UPLOADER_JOINS = Prisma.sql`LEFT JOIN users u ON u.id = b.uploaded_by_id LEFT JOIN api_tokens t ON t.id = b.token_id`;

const BATCH_ORDER: Record<string, string> = { startedAt: 'b.started_at', fileName: 'b.file_name', status: 'b.status', rows: 'b.rows', rejected: 'b.rejected' };

const batches: ExportView = {
  minRole: 'analyst',
  async plan(_prisma, _filters, params) {
    const sort = param(params, 'sort', z.string().regex(/^-?(startedAt|fileName|status|rows|rejected)$/), '-startedAt');
    const order = Prisma.raw(`${BATCH_ORDER[sort.replace(/^-/, '')]} ${sort.startsWith('-') ? 'DESC' : 'ASC'}, b.id DESC`);
    return {
      header: ['id', 'file_name', 'status', 'failure_reason', 'duplicate_of', 'source', 'uploaded_by', 'started_at', 'finished_at',
        'duration_ms', 'bytes', 'sha256', 'format', 'compressed', 'strict', 'rows', 'accepted', 'rejected', 'duplicates', 'conflicts', 'unknown_columns'],
      source: {
        kind: 'query',
        sql: Prisma.sql`SELECT b.*, ${BATCH_UPLOADER} AS who FROM ingest_batches b ${BATCH_UPLOADER_JOINS} ORDER BY ${order}`,
      },
      toValues: (b) => [b.id, b.file_name, b.status, b.failure_reason, b.duplicate_of_id, b.source, b.who, b.started_at?.toISOString(),
        b.finished_at?.toISOString(), b.duration_ms, b.bytes, b.sha256, b.format, b.compressed, b.strict, b.rows, b.accepted, b.rejected,
        b.duplicates, b.conflicts, (b.unknown_columns ?? []).join(' ')],
    };
  },
};

const audit: ExportView = {
  minRole: 'admin',
  async plan(_prisma, _filters, params) {
    let filter;
    try {
      filter = parseAuditFilter(params);
    } catch (error) {
      throw error instanceof AuditFilterError ? new ExportParamError(error.message) : error;
    }
    const sort = param(params, 'sort', z.string().regex(/^-?(at|action|actorLabel)$/), '-at');
    const column = { at: 'at', action: 'action', actorLabel: 'actor_label' }[sort.replace(/^-/, '') as 'at' | 'action' | 'actorLabel'];
    const order = Prisma.raw(`${column} ${sort.startsWith('-') ? 'DESC' : 'ASC'}, id DESC`);
    return {
      header: ['seq', 'at', 'actor_type', 'actor', 'action', 'target', 'details', 'ip', 'prev_hash', 'hash'],
      source: { kind: 'query', sql: Prisma.sql`SELECT * FROM audit_events WHERE ${auditWhereSql(filter)} ORDER BY ${order}` },
      toValues: (e) => [e.seq, e.at.toISOString(), e.actor_type, e.actor_label, e.action, e.target, JSON.stringify(e.details), e.ip,
        e.prev_hash, e.hash],
    };
  },
};

const violations: ExportView = {
  minRole: 'analyst',
  async plan(_prisma, filters, params) {
    return {
      header: ['decision_id', 'occurred_at', 'request_id', 'account_id', 'account_name', 'caller_region', 'provider', 'channel',
        'decision', 'reason', 'violation', 'policy_id', 'policy_status', 'policy_channel', 'policy_from', 'policy_to', 'policy_note'],
      source: { kind: 'query', sql: violationListSql(filters, { accountId: params.get('account') ?? undefined }) },
      toValues: (r: ViolationRecord) => [r.decisionId, r.occurredAt, r.requestId, r.accountId, r.accountName, r.callerRegion, r.provider,
        r.channel, r.decision, r.reason, r.decision === 'allowed' ? 'allowed_while_unsupported' : 'blocked_while_supported', r.policyId,
        r.policyStatus, r.policyChannel ?? '*', r.policyFrom, r.policyTo, r.policyNote],
    };
  },
};

const violationAccountsView: ExportView = {
  minRole: 'viewer',
  async plan(_prisma, filters, params) {
    const sort = param(params, 'sort', z.string().regex(new RegExp(`^-?(${VIOLATION_ACCOUNT_SORTS.join('|')})$`)), '-total');
    return {
      header: ['account_id', 'account_name', 'allowed_while_unsupported', 'blocked_while_supported', 'total', 'first_at', 'last_at', 'channels'],
      source: { kind: 'query', sql: violationAccountsSql(filters, { column: sort.replace(/^-/, '') as ViolationAccountSort, desc: sort.startsWith('-') }) },
      toValues: (raw: Parameters<typeof toViolationAccountRow>[0]) => {
        const r = toViolationAccountRow(raw);
        return [r.accountId, r.accountName, r.allowedUnsupported, r.blockedSupported, r.total, r.firstAt, r.lastAt, r.channels.join(' ')];
      },
    };
  },
};

const divergenceView: ExportView = {
  minRole: 'viewer',
  async plan(prisma, _filters, params) {
    const sort = param(params, 'sort', z.string().regex(new RegExp(`^-?(${DIVERGENCE_SORTS.join('|')})$`)), '-allowedAfterBlock');
    const routes = (rs: { route: string; count: number }[]) => rs.map((r) => `${r.route}:${r.count}`).join(' ');
    // The view's own ranking with every pair exact (3-5 s for 30,000 pairs at 10M rows; the
    // SQL statement it replaced took 4-7 s), held whole: a row per pair.
    const rows = await everyDivergence(prisma, divergenceFilters(params), { column: sort.replace(/^-/, '') as DivergenceSort, desc: sort.startsWith('-') });
    return {
      header: ['account_id', 'account_name', 'caller_region', 'allowed_after_block', 'allowed', 'blocked', 'first_block_at', 'blocked_routes', 'allowed_routes'],
      source: { kind: 'rows', rows },
      toValues: (r: DivergenceRow) =>
        [r.accountId, r.accountName, r.callerRegion, r.allowedAfterBlock, r.allowed, r.blocked, r.firstBlockAt, routes(r.blockedRoutes), routes(r.allowedRoutes)],
    };
  },
};

const policies: ExportView = {
  minRole: 'viewer',
  async plan(_prisma, filters, params) {
    // The versions in force at some instant of the range (all of them with ?all=1).
    const all = ['1', 'true'].includes(params.get('all') ?? '');
    return {
      header: ['id', 'provider', 'channel', 'region', 'status', 'effective_from', 'effective_to', 'note', 'supersedes_id', 'closed_at', 'created_at', 'created_by'],
      source: {
        kind: 'query',
        sql: Prisma.sql`SELECT p.*, u.email AS created_by FROM region_policies p LEFT JOIN users u ON u.id = p.created_by_id
          WHERE ${all ? Prisma.sql`true` : Prisma.sql`p.effective_from < ${filters.to} AND (p.effective_to IS NULL OR p.effective_to > ${filters.from})`}
          ORDER BY p.provider, p.channel NULLS FIRST, p.region, p.effective_from`,
      },
      toValues: (p) => [p.id, p.provider, p.channel ?? '*', p.region, p.status, p.effective_from.toISOString(), p.effective_to?.toISOString(),
        p.note, p.supersedes_id, p.closed_at?.toISOString(), p.created_at.toISOString(), p.created_by],
    };
  },
};

export const EXPORT_VIEWS = {
  decisions, accounts, breakdown: breakdownView, timeseries, batches, audit,
  violations, 'violation-accounts': violationAccountsView, divergence: divergenceView, policies,
} as const;
export type ExportViewName = keyof typeof EXPORT_VIEWS;

export function isExportView(name: string): name is ExportViewName {
  return Object.hasOwn(EXPORT_VIEWS, name);
}
