import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';

import type { Filters } from './filters';
import { accountCounts } from './sources';

export interface AccountListRow {
  id: string;
  name: string | null;
  allowed: number;
  blocked: number;
  total: number;
  blockRate: number | null;
  /** Regions and channels seen in the range, with the filters applied. */
  regions: string[];
  channels: string[];
  firstSeen: string;
  lastSeen: string;
}

export const ACCOUNT_SORTS = ['total', 'blocked', 'allowed', 'blockRate', 'lastSeen', 'firstSeen', 'id', 'name'] as const;
export type AccountSort = (typeof ACCOUNT_SORTS)[number];

const ORDER: Record<AccountSort, string> = {
  total: 'total',
  blocked: 'blocked',
  allowed: 'allowed',
  blockRate: 'block_rate',
  lastSeen: 'a.last_seen',
  firstSeen: 'a.first_seen',
  id: 'a.id',
  name: 'a.name',
};

export interface AccountQuery {
  search?: string;
  column: AccountSort;
  desc: boolean;
}

export interface AccountSqlRow {
  id: string;
  name: string | null;
  allowed: number;
  blocked: number;
  regions: string[];
  channels: string[];
  first_seen: Date;
  last_seen: Date;
  total_count: number;
}

function searchPattern(search: string | undefined): string | null {
  const s = search?.trim();
  return s ? `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
}

/**
 * The accounts list as SQL (the page reads a slice; the CSV export streams all of it).
 * Totals are aggregated for every account in range, then sorted and sliced; the regions and
 * channels seen, which need a sort per account, are computed only for the rows kept.
 */
export function accountsSql(filters: Filters, query: AccountQuery, slice?: { limit: number; offset: number }): Prisma.Sql {
  const pattern = searchPattern(query.search);
  const direction = query.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST';
  const inner = Prisma.raw(`${ORDER[query.column]} ${direction}, a.id`);
  const outer = Prisma.raw(`p.${ORDER[query.column].replace(/^a\./, '')} ${direction}, p.id`);
  return Prisma.sql`
    WITH c AS (
      SELECT account_id,
             coalesce(sum(n) FILTER (WHERE decision = 'allowed'), 0) AS allowed,
             coalesce(sum(n) FILTER (WHERE decision = 'blocked'), 0) AS blocked
        FROM (${accountCounts(filters)}) s
       ${pattern ? Prisma.sql`WHERE account_id IN (SELECT id FROM accounts WHERE id ILIKE ${pattern} OR name ILIKE ${pattern})` : Prisma.empty}
       GROUP BY account_id
    ), p AS (
      SELECT a.id, a.name, c.allowed, c.blocked, c.allowed + c.blocked AS total,
             c.blocked::float / nullif(c.allowed + c.blocked, 0) AS block_rate,
             a.first_seen, a.last_seen, count(*) OVER ()::int AS total_count
        FROM c JOIN accounts a ON a.id = c.account_id
       ORDER BY ${inner}
       ${slice ? Prisma.sql`LIMIT ${slice.limit} OFFSET ${slice.offset}` : Prisma.empty}
    )
    SELECT p.*, seen.regions, seen.channels
      FROM p CROSS JOIN LATERAL (
        SELECT array_agg(DISTINCT trim(caller_region)) AS regions, array_agg(DISTINCT channel) AS channels
          FROM (${accountCounts(filters)}) x WHERE x.account_id = p.id) seen
     ORDER BY ${outer}`;
}

export function toAccountListRow(r: AccountSqlRow): AccountListRow {
  const allowed = Number(r.allowed);
  const blocked = Number(r.blocked);
  return {
    id: r.id, name: r.name, allowed, blocked, total: allowed + blocked,
    blockRate: allowed + blocked ? blocked / (allowed + blocked) : null,
    regions: [...r.regions].sort(), channels: [...r.channels].sort(),
    firstSeen: r.first_seen.toISOString(), lastSeen: r.last_seen.toISOString(),
  };
}

/** Accounts with decisions in the range (and filters), searched, sorted and paginated in SQL. */
export async function listAccounts(
  prisma: PrismaClient,
  filters: Filters,
  options: AccountQuery & { page: number; pageSize: number },
): Promise<{ rows: AccountListRow[]; total: number }> {
  const rows = await prisma.$queryRaw<AccountSqlRow[]>(
    accountsSql(filters, options, { limit: options.pageSize, offset: (options.page - 1) * options.pageSize }),
  );
  const total = rows[0]?.total_count ?? (options.page > 1 ? await countAccounts(prisma, filters, searchPattern(options.search)) : 0);
  return { total, rows: rows.map(toAccountListRow) };
}

async function countAccounts(prisma: PrismaClient, filters: Filters, pattern: string | null): Promise<number> {
  const rows = await prisma.$queryRaw<{ n: number }[]>`
    SELECT count(DISTINCT account_id)::int AS n FROM (${accountCounts(filters)}) s
    ${pattern ? Prisma.sql`WHERE account_id IN (SELECT id FROM accounts WHERE id ILIKE ${pattern} OR name ILIKE ${pattern})` : Prisma.empty}`;
  return rows[0]?.n ?? 0;
}
