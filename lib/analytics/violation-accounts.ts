import { inSnapshot } from '@/lib/db/snapshot';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { violationsIn } from '@/lib/rollups/decision-violations';

import { inOrdinalBitmap, nthSmallest, ordinalBitmap } from './account-ranking';
import type { Filters } from './filters';
import { dayParts } from './range';
import { accountViolationsSql, byEveryRoute, channelsAgg, routeViolationsSql, violationsByOrdinal } from './violations';

// The Violations view's table of accounts: per account with violations in the filters,
// its violations of each kind, the routes they were on, and its first and last one.
// Sorted by a count and unfiltered by region, provider and channel (the table as it
// opens, and as most sort it), every account is ranked in Node from the daily and hourly
// violation vectors and the partial edge hours' violations (vectorPage); otherwise, one statement
// over the running monthly rows does it all (violationAccountsSql), as the export does.

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
  allowed: bigint | number;
  blocked: bigint | number;
  total: bigint | number;
  first_at: Date;
  last_at: Date;
  total_count?: bigint;
  channels: string[] | null;
}

/** The first or last instant of an account's violations in the filters (accountId: an SQL expression), by one probe of the (account_id, occurred_at) index. */
const probedInstant = (end: 'first' | 'last', filters: Filters, accountId: Prisma.Sql) => Prisma.sql`
  (SELECT ${Prisma.raw(end === 'first' ? 'min' : 'max')}(occurred_at) FROM (${violationsIn(filters, filters, [Prisma.sql`account_id = ${accountId}`])}) x)`;

/**
 * The first or last instant of an account's violations in the filters (relation `r` of
 * accountViolationsSql): the edge's own when the account has violations on that edge or
 * none on whole days, else a probe.
 */
function violationInstant(end: 'first' | 'last', filters: Filters, r: string): Prisma.Sql {
  const edge = Prisma.raw(`${r}.edge_${end}`);
  const days = dayParts(filters.from, filters.to).daily[0];
  if (!days) return edge;
  const onEdge = end === 'first' ? Prisma.sql`${edge} < ${days.from}` : Prisma.sql`${edge} >= ${days.to}`;
  return Prisma.sql`CASE WHEN ${Prisma.raw(r)}.whole = 0 OR ${onEdge} THEN ${edge} ELSE ${probedInstant(end, filters, Prisma.raw(`${r}.account_id`))} END`;
}

/** The routes (provider/channel) of an account's violations in the filters, for a page's rows only. */
const pageChannels = (filters: Filters, accountId: Prisma.Sql) =>
  Prisma.sql`(SELECT ${channelsAgg} FROM (${routeViolationsSql(filters, filters, accountId)}) r)`;

/**
 * Per-account violation counts in the filters, ordered; every row when `page` is absent.
 * The counts and routes come from the running rows and the edges (accountViolationsSql;
 * the total rides along as a window count); the first and last instants are found only
 * for the rows returned, except the last when rows are ordered by it.
 */
export function violationAccountsSql(filters: Filters, order: { column: ViolationAccountSort; desc: boolean }, page?: { page: number; pageSize: number }): Prisma.Sql {
  const dir = order.desc ? 'DESC' : 'ASC';
  const lastFirst = order.column === 'lastAt';
  // A page's routes are gathered for its rows only: for every account, the grouping sorted
  // each one's routes (~60 of 120 ms at 90 days on 10M decisions, 13,000 accounts). The
  // outer alias is acct, as the running rows' read names its month bounds v.
  const channels = page ? pageChannels(filters, Prisma.sql`acct.account_id`) : Prisma.sql`acct.channels`;
  return Prisma.sql`
    SELECT acct.account_id, a.name, acct.allowed, acct.blocked, acct.total, ${channels} AS channels, acct.total_count,
           ${violationInstant('first', filters, 'acct')} AS first_at,
           ${lastFirst ? Prisma.raw('acct.last_at') : violationInstant('last', filters, 'acct')} AS last_at
      FROM (SELECT g.*, count(*) OVER () AS total_count
                   ${lastFirst ? Prisma.sql`, ${violationInstant('last', filters, 'g')} AS last_at` : Prisma.empty}
              FROM (${accountViolationsSql(filters, filters, !page)}) g
             ORDER BY ${Prisma.raw(`${ACCOUNT_ORDER[order.column]} ${dir}, account_id ${dir}`)}
             ${page ? Prisma.sql`LIMIT ${page.pageSize} OFFSET ${(page.page - 1) * page.pageSize}` : Prisma.empty}) acct
      LEFT JOIN accounts a ON a.id = acct.account_id
     ORDER BY ${Prisma.raw(`acct.${ACCOUNT_ORDER[order.column]} ${dir}, acct.account_id ${dir}`)}`;
}

export const toViolationAccountRow = (r: AccountSqlRow): ViolationAccountRow => ({
  accountId: r.account_id, accountName: r.name, allowedUnsupported: Number(r.allowed), blockedSupported: Number(r.blocked),
  total: Number(r.total), firstAt: r.first_at.toISOString(), lastAt: r.last_at.toISOString(), channels: r.channels ?? [],
});

type Order = { column: ViolationAccountSort; desc: boolean; page: number; pageSize: number };

/** The sorts by a count, and which of an account's counts each is. */
const COUNT_KEYS: Partial<Record<ViolationAccountSort, 'total' | 'allowed' | 'blocked'>> = {
  total: 'total', allowedUnsupported: 'allowed', blockedSupported: 'blocked',
};

/** Up to this many tied accounts are sent as an array of ordinals; more, as a bitmap (see the accounts list). */
const MAX_LISTED_TIES = 2000;

/**
 * A page of the table from the vectors (see violationAccounts). Every account's counts
 * are exact in Node (violationsByOrdinal); the K-th best key L (K = the page's end) splits
 * them into those that rank before it, which SQL orders by key and account id, and those
 * at L, of which SQL takes as many as the page can still hold in account id order (ties go
 * by id, in the sort's direction). The page's names, routes and first and last instants
 * are read for its rows alone. Several statements: run in one snapshot.
 */
async function vectorPage(tx: Prisma.TransactionClient, filters: Filters, order: Order, key: 'total' | 'allowed' | 'blocked'): Promise<{ rows: AccountSqlRow[]; total: number }> {
  const { allowed, blocked } = await violationsByOrdinal(tx, filters, filters);
  const keyOf = key === 'total' ? (i: number) => allowed[i]! + blocked[i]! : key === 'allowed' ? (i: number) => allowed[i]! : (i: number) => blocked[i]!;
  const members: number[] = [];
  for (let i = 0; i < allowed.length; i++) if (allowed[i]! + blocked[i]! > 0) members.push(i);
  const offset = (order.page - 1) * order.pageSize;
  if (offset >= members.length) return { rows: [], total: members.length };
  const k = Math.min(offset + order.pageSize, members.length);
  // A plain loop: Float64Array.from with a mapping function took ~5 ms for 30,000 keys here.
  const keys = new Float64Array(members.length);
  for (let i = 0; i < members.length; i++) keys[i] = keyOf(members[i]!);
  const threshold = nthSmallest(keys, order.desc ? members.length - k : k - 1);
  const before = order.desc ? (v: number) => v > threshold : (v: number) => v < threshold;
  const ranked = members.filter((i) => before(keyOf(i)));
  const tied = members.filter((i) => keyOf(i) === threshold);
  const dir = Prisma.raw(order.desc ? 'DESC' : 'ASC');
  const size = allowed.length;
  const isTied = tied.length <= MAX_LISTED_TIES ? Prisma.sql`ordinal = ANY(${tied}::int[])` : inOrdinalBitmap(ordinalBitmap(tied, size), size);
  const page = await tx.$queryRaw<{ ordinal: number }[]>`
    SELECT ordinal FROM (
      SELECT a.id, r.ordinal, r.key FROM unnest(${ranked}::int[], ${ranked.map(keyOf)}::float8[]) r(ordinal, key)
       CROSS JOIN LATERAL (SELECT id FROM accounts WHERE ordinal = r.ordinal LIMIT 1) a
      UNION ALL
      SELECT id, ordinal, ${threshold}::float8 FROM (SELECT id, ordinal FROM accounts WHERE ${isTied} ORDER BY id ${dir} LIMIT ${k - ranked.length}) t
    ) x ORDER BY key ${dir}, id ${dir} LIMIT ${order.pageSize} OFFSET ${offset}`;
  const ordinals = page.map((r) => r.ordinal);
  const rows = await tx.$queryRaw<AccountSqlRow[]>`
    SELECT acct.id AS account_id, acct.name, p.allowed, p.blocked, p.allowed + p.blocked AS total,
           ${pageChannels(filters, Prisma.sql`acct.id`)} AS channels,
           ${probedInstant('first', filters, Prisma.sql`acct.id`)} AS first_at, ${probedInstant('last', filters, Prisma.sql`acct.id`)} AS last_at
      FROM unnest(${ordinals}::int[], ${ordinals.map((o) => allowed[o]!)}::int[], ${ordinals.map((o) => blocked[o]!)}::int[]) WITH ORDINALITY p(ordinal, allowed, blocked, n)
     CROSS JOIN LATERAL (SELECT id, name FROM accounts WHERE ordinal = p.ordinal LIMIT 1) acct
     ORDER BY p.n`;
  return { rows, total: members.length };
}

/**
 * A page of the per-account table in the filters, and how many accounts it has: from the
 * vectors, in one snapshot, where they answer (a sort by a count, no filter on region,
 * provider or channel: the vectors hold every route together); else one statement.
 */
export async function violationAccounts(prisma: PrismaClient, filters: Filters, options: Order): Promise<{ rows: ViolationAccountRow[]; total: number }> {
  const key = COUNT_KEYS[options.column];
  if (key && byEveryRoute(filters)) {
    const { rows, total } = await inSnapshot(prisma, (tx) => vectorPage(tx, filters, options, key));
    return { rows: rows.map(toViolationAccountRow), total };
  }
  const rows = await prisma.$queryRaw<AccountSqlRow[]>(violationAccountsSql(filters, options, options));
  if (rows.length || options.page === 1) return { rows: rows.map(toViolationAccountRow), total: Number(rows[0]?.total_count ?? 0) };
  // Past the last page: the count alone.
  const [count] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM (${accountViolationsSql(filters, filters)}) a`;
  return { rows: [], total: Number(count!.n) };
}
