import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';

import { contradictsPolicy, IN_FORCE_ID, policyInForceJoins, type PolicyStatus } from '@/lib/policy/in-force';
import { countedProvidersSql } from '@/lib/rollups/decision-counts';

import type { Filters } from './filters';

export interface DecisionRecord {
  id: string;
  /** ISO 8601 UTC with microseconds, as stored. */
  occurredAt: string;
  requestId: string;
  accountId: string;
  accountName: string | null;
  callerRegion: string;
  servingRegion: string | null;
  provider: string;
  channel: string;
  decision: 'allowed' | 'blocked';
  reason: string | null;
  policyVersion: string | null;
  model: string | null;
  batchId: number;
  batchLine: number;
  /** The region policy in force when the decision was made (lib/policy/in-force.ts), if any. */
  policy: PolicyInForce | null;
}

export interface PolicyInForce {
  id: number;
  status: PolicyStatus;
  /** null: the provider-wide version. */
  channel: string | null;
  effectiveFrom: string;
  effectiveTo: string | null;
  note: string | null;
  /** Whether the decision contradicts it (allowed while unsupported, blocked while supported). */
  violation: boolean;
}

export interface DecisionPage {
  rows: DecisionRecord[];
  /** Opaque keyset cursor for the next (older) page, or null at the end. */
  nextCursor: string | null;
}

const COLUMNS = Prisma.sql`to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "occurredAt",
  request_id AS "requestId", account_id AS "accountId", account_name AS "accountName",
  trim(caller_region) AS "callerRegion", serving_region AS "servingRegion", provider, channel, decision::text AS decision,
  reason, policy_version AS "policyVersion", model, batch_id AS "batchId", batch_line AS "batchLine", id::text AS id`;


export class CursorError extends Error {}

function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !id || !/^\d+$/.test(id) || Number.isNaN(Date.parse(at))) throw new CursorError('The page cursor is not valid.');
  return { at, id };
}

function encodeCursor(row: DecisionRecord): string {
  return Buffer.from(`${row.occurredAt}|${row.id}`).toString('base64url');
}

function filterClauses(filters: Filters): Prisma.Sql[] {
  const clauses = [Prisma.sql`occurred_at >= ${filters.from}`, Prisma.sql`occurred_at < ${filters.to}`];
  const add = (column: string, include: string[], exclude: string[]) => {
    if (include.length) clauses.push(Prisma.sql`${Prisma.raw(column)} IN (${Prisma.join(include)})`);
    if (exclude.length) clauses.push(Prisma.sql`${Prisma.raw(column)} NOT IN (${Prisma.join(exclude)})`);
  };
  add('caller_region', filters.region.include, filters.region.exclude);
  add('provider', filters.provider.include, filters.provider.exclude);
  add('channel', filters.channel.include, filters.channel.exclude);
  add('decision::text', filters.decision.include, filters.decision.exclude);
  return clauses;
}

/**
 * The decision log for the filters (and one account), newest first: the query behind the
 * Decisions page and its CSV export. `limit` undefined means every row (for streaming).
 */
export function decisionLogSql(
  filters: Filters,
  options: { accountId?: string; cursor?: string | null; limit?: number; columns?: Prisma.Sql },
): Prisma.Sql {
  const clauses = filterClauses(filters);
  if (options.accountId !== undefined) clauses.push(Prisma.sql`account_id = ${options.accountId}`);
  if (options.cursor) {
    const c = decodeCursor(options.cursor);
    clauses.push(Prisma.sql`(occurred_at, id) < (${c.at}::timestamptz, ${c.id}::bigint)`);
  }
  return Prisma.sql`SELECT ${options.columns ?? COLUMNS} FROM access_decisions WHERE ${Prisma.join(clauses, ' AND ')}
     ORDER BY occurred_at DESC, id DESC ${options.limit === undefined ? Prisma.empty : Prisma.sql`LIMIT ${options.limit}`}`;
}

/** Newest first, keyset-paginated on (occurred_at, id): no OFFSET scans however deep. */
export async function decisionsPage(
  prisma: PrismaClient,
  filters: Filters,
  options: { accountId?: string; cursor?: string | null; limit: number },
): Promise<DecisionPage> {
  const rows = await prisma.$queryRaw<DecisionRecord[]>(decisionLogSql(filters, { ...options, limit: options.limit + 1 }));
  const more = rows.length > options.limit;
  const page = more ? rows.slice(0, options.limit) : rows;
  return { rows: await withPolicies(prisma, page), nextCursor: more ? encodeCursor(page[page.length - 1]!) : null };
}

/**
 * Decisions with this request id, whatever the provider. The identity index leads with
 * provider, so we probe it once per provider (a hand-made skip scan).
 */
export async function decisionsByRequestId(prisma: PrismaClient, requestId: string): Promise<DecisionRecord[]> {
  return withPolicies(prisma, await prisma.$queryRaw<DecisionRecord[]>`
    SELECT ${COLUMNS} FROM access_decisions
     WHERE id IN (SELECT d.id FROM (${countedProvidersSql}) p
                   JOIN access_decisions d ON d.provider = p.provider AND d.request_id = ${requestId})
     ORDER BY occurred_at DESC`);
}

export async function getDecision(prisma: PrismaClient, id: string): Promise<DecisionRecord | null> {
  if (!/^\d{1,19}$/.test(id)) return null;
  const rows = await prisma.$queryRaw<DecisionRecord[]>`SELECT ${COLUMNS} FROM access_decisions WHERE id = ${id}::bigint`;
  return (await withPolicies(prisma, rows))[0] ?? null;
}

/** The policy in force for each decision of a page: one query, an index probe per row. */
async function withPolicies(prisma: PrismaClient, rows: Omit<DecisionRecord, 'policy'>[]): Promise<DecisionRecord[]> {
  if (rows.length === 0) return [];
  const found = await prisma.$queryRaw<(Omit<PolicyInForce, 'effectiveFrom' | 'effectiveTo'> & { decisionId: string; effectiveFrom: Date; effectiveTo: Date | null })[]>`
    SELECT d.id::text AS "decisionId", ${Prisma.raw(IN_FORCE_ID)} AS id, coalesce(pc.status, pw.status)::text AS status,
           CASE WHEN pc.id IS NOT NULL THEN pc.channel END AS channel,
           coalesce(pc.effective_from, pw.effective_from) AS "effectiveFrom",
           CASE WHEN pc.id IS NOT NULL THEN pc.effective_to ELSE pw.effective_to END AS "effectiveTo",
           coalesce(pc.note, pw.note) AS note, ${Prisma.raw(contradictsPolicy('d'))} AS violation
      FROM access_decisions d ${Prisma.raw(policyInForceJoins('d'))}
     WHERE d.id = ANY(${rows.map((r) => r.id)}::bigint[]) AND ${Prisma.raw(IN_FORCE_ID)} IS NOT NULL`;
  const byId = new Map(found.map(({ decisionId, effectiveFrom, effectiveTo, ...p }) =>
    [decisionId, { ...p, effectiveFrom: effectiveFrom.toISOString(), effectiveTo: effectiveTo?.toISOString() ?? null }]));
  return rows.map((r) => ({ ...r, policy: byId.get(r.id) ?? null }));
}
