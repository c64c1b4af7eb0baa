import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import type { PolicyStatus } from '@/lib/policy/in-force';
import { violationsIn } from '@/lib/rollups/decision-violations';

import type { Bucket, Filters } from './filters';
import { previousSpan } from './range';

// Violations of the policy catalogue (lib/rollups/decision-violations.ts keeps them):
// decisions allowed while their region was unsupported for the provider (and channel),
// or blocked while it was supported, with every usual filter.

export interface ViolationCounts {
  /** Allowed while the policy in force said unsupported. */
  allowedUnsupported: number;
  /** Blocked while the policy in force said supported. */
  blockedSupported: number;
  total: number;
  accounts: number;
}

export interface ViolationSummary {
  current: ViolationCounts;
  previous: ViolationCounts;
  previousFrom: Date;
}

async function counts(prisma: PrismaClient, span: { from: Date; to: Date }, filters: Filters): Promise<ViolationCounts> {
  // Grouped by account rather than count(DISTINCT account_id), which sorts every row: a
  // hash of the accounts took 94 ms where the sort took 357 (216k violations, 10M decisions).
  const [row] = await prisma.$queryRaw<{ allowed: bigint | null; blocked: bigint | null; accounts: bigint }[]>`
    SELECT sum(a)::bigint AS allowed, sum(b)::bigint AS blocked, count(*) AS accounts FROM (
      SELECT account_id, count(*) FILTER (WHERE decision = 'allowed') AS a, count(*) FILTER (WHERE decision = 'blocked') AS b
        FROM (${violationsIn(span, filters)}) v GROUP BY account_id) per_account`;
  const allowedUnsupported = Number(row!.allowed ?? 0);
  const blockedSupported = Number(row!.blocked ?? 0);
  return { allowedUnsupported, blockedSupported, total: allowedUnsupported + blockedSupported, accounts: Number(row!.accounts) };
}

/** The range's violation counts and those of the period of equal length before it. */
export async function violationSummary(prisma: PrismaClient, filters: Filters): Promise<ViolationSummary> {
  const before = previousSpan(filters);
  const [current, previous] = await Promise.all([counts(prisma, filters, filters), counts(prisma, before, filters)]);
  return { current, previous, previousFrom: before.from };
}

export interface ViolationPoint {
  bucket: string;
  allowedUnsupported: number;
  blockedSupported: number;
}

/** Violations per hour, day or week in the filters' time zone (empty buckets omitted). */
export async function violationSeries(prisma: PrismaClient, filters: Filters, bucket: Bucket): Promise<ViolationPoint[]> {
  const unit = Prisma.raw(`'${bucket}'`); // from a closed enum
  const rows = await prisma.$queryRaw<{ bucket: Date; allowed: bigint; blocked: bigint }[]>`
    SELECT date_trunc(${unit}, occurred_at AT TIME ZONE ${filters.tz}) AT TIME ZONE ${filters.tz} AS bucket,
           count(*) FILTER (WHERE decision = 'allowed') AS allowed, count(*) FILTER (WHERE decision = 'blocked') AS blocked
      FROM (${violationsIn(filters, filters)}) v GROUP BY 1 ORDER BY 1`;
  return rows.map((r) => ({ bucket: r.bucket.toISOString(), allowedUnsupported: Number(r.allowed), blockedSupported: Number(r.blocked) }));
}

export const VIOLATION_ACCOUNT_SORTS = ['total', 'allowedUnsupported', 'blockedSupported', 'lastAt', 'accountId'] as const;
export type ViolationAccountSort = (typeof VIOLATION_ACCOUNT_SORTS)[number];
const ACCOUNT_ORDER: Record<ViolationAccountSort, string> = {
  total: 'total', allowedUnsupported: 'allowed', blockedSupported: 'blocked', lastAt: 'last_at', accountId: 'account_id',
};

export interface ViolationAccountRow {
  accountId: string;
  accountName: string | null;
  allowedUnsupported: number;
  blockedSupported: number;
  total: number;
  firstAt: string;
  lastAt: string;
  channels: string[];
}

interface AccountSqlRow {
  account_id: string;
  name: string | null;
  allowed: bigint;
  blocked: bigint;
  total: bigint;
  first_at: Date;
  last_at: Date;
  total_count: bigint;
  channels: string[] | null;
}

/**
 * Per-account violation counts in the filters, ordered; every row when `page` is absent.
 * One pass over the range's violations (the total rides along as a window count); the
 * routes are gathered only for the rows returned, from the (account_id, occurred_at) index.
 */
export function violationAccountsSql(filters: Filters, order: { column: ViolationAccountSort; desc: boolean }, page?: { page: number; pageSize: number }): Prisma.Sql {
  const dir = order.desc ? 'DESC' : 'ASC';
  return Prisma.sql`
    SELECT v.account_id, a.name, v.allowed, v.blocked, v.total, v.first_at, v.last_at, v.total_count,
           (SELECT array_agg(DISTINCT r.provider || '/' || r.channel ORDER BY r.provider || '/' || r.channel)
              FROM (${violationsIn(filters, filters, [Prisma.sql`account_id = v.account_id`])}) r) AS channels
      FROM (SELECT account_id, count(*) FILTER (WHERE decision = 'allowed') AS allowed,
                   count(*) FILTER (WHERE decision = 'blocked') AS blocked, count(*) AS total,
                   min(occurred_at) AS first_at, max(occurred_at) AS last_at, count(*) OVER () AS total_count
              FROM (${violationsIn(filters, filters)}) f GROUP BY account_id
             ORDER BY ${Prisma.raw(`${ACCOUNT_ORDER[order.column]} ${dir}, account_id ${dir}`)}
             ${page ? Prisma.sql`LIMIT ${page.pageSize} OFFSET ${(page.page - 1) * page.pageSize}` : Prisma.empty}) v
      LEFT JOIN accounts a ON a.id = v.account_id
     ORDER BY ${Prisma.raw(`v.${ACCOUNT_ORDER[order.column]} ${dir}, v.account_id ${dir}`)}`;
}

export const toViolationAccountRow = (r: AccountSqlRow): ViolationAccountRow => ({
  accountId: r.account_id, accountName: r.name, allowedUnsupported: Number(r.allowed), blockedSupported: Number(r.blocked),
  total: Number(r.total), firstAt: r.first_at.toISOString(), lastAt: r.last_at.toISOString(), channels: r.channels ?? [],
});

export async function violationAccounts(
  prisma: PrismaClient,
  filters: Filters,
  options: { column: ViolationAccountSort; desc: boolean; page: number; pageSize: number },
): Promise<{ rows: ViolationAccountRow[]; total: number }> {
  const rows = await prisma.$queryRaw<AccountSqlRow[]>(violationAccountsSql(filters, options, options));
  if (rows.length || options.page === 1) return { rows: rows.map(toViolationAccountRow), total: Number(rows[0]?.total_count ?? 0) };
  // Past the last page: the count alone.
  const [count] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM (SELECT account_id FROM (${violationsIn(filters, filters)}) v GROUP BY 1) a`;
  return { rows: [], total: Number(count!.n) };
}

export interface ViolationRecord {
  decisionId: string;
  occurredAt: string;
  requestId: string;
  accountId: string;
  accountName: string | null;
  callerRegion: string;
  provider: string;
  channel: string;
  decision: 'allowed' | 'blocked';
  reason: string | null;
  policyId: number;
  policyStatus: PolicyStatus;
  /** null: the provider-wide version. */
  policyChannel: string | null;
  policyFrom: string;
  policyTo: string | null;
  policyNote: string | null;
}

/** The violating decisions with the policy each contradicts, newest first. */
const ofAccount = (accountId?: string) => (accountId === undefined ? [] : [Prisma.sql`account_id = ${accountId}`]);

export function violationListSql(filters: Filters, options: { accountId?: string; page?: { page: number; pageSize: number } } = {}): Prisma.Sql {
  return Prisma.sql`
    SELECT v.decision_id::text AS "decisionId", to_char(v.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "occurredAt",
           d.request_id AS "requestId", v.account_id AS "accountId", d.account_name AS "accountName",
           trim(v.caller_region) AS "callerRegion", v.provider, v.channel, v.decision::text AS decision, d.reason,
           p.id AS "policyId", p.status::text AS "policyStatus", p.channel AS "policyChannel",
           to_char(p.effective_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "policyFrom",
           to_char(p.effective_to AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "policyTo", p.note AS "policyNote"
      FROM (${violationsIn(filters, filters, ofAccount(options.accountId))}) v
      JOIN access_decisions d ON d.id = v.decision_id
      JOIN region_policies p ON p.id = v.policy_id
     ORDER BY v.occurred_at DESC, v.decision_id DESC
     ${options.page ? Prisma.sql`LIMIT ${options.page.pageSize} OFFSET ${(options.page.page - 1) * options.page.pageSize}` : Prisma.empty}`;
}

export async function violationList(
  prisma: PrismaClient,
  filters: Filters,
  options: { accountId?: string; page: number; pageSize: number },
): Promise<{ rows: ViolationRecord[]; total: number }> {
  const [rows, [count]] = await Promise.all([
    prisma.$queryRaw<ViolationRecord[]>(violationListSql(filters, { accountId: options.accountId, page: options })),
    prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM (${violationsIn(filters, filters, ofAccount(options.accountId))}) v`,
  ]);
  return { rows, total: Number(count!.n) };
}
