import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { inSnapshot } from '@/lib/db/snapshot';
import {
  RUNNING_DIMENSIONS,
  runningDaysSum as daysSum,
  runningRowsIn,
  sqlInteger as num,
} from '@/lib/rollups/account-running-monthly';
import type { Cell, SignedCell, VectorTotals } from '@/lib/rollups/account-running-vectors';

import { COUNT_SORTS, inOrdinalBitmap, ordinalBitmap, rangeMembers, rankingCandidates, withoutTiedOut } from './account-ranking';
import { accountTotals } from './account-totals';
import { storedExtent, widenedTo } from './data-extent';
import { admits, rawSpanWhere } from './filter-sql';
import { constrainedDimensions, type Filters } from './filters';
import { dayParts, monthDays, type MonthDays, type Span } from './range';

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

// Each sort's key from exact counts (allowed, blocked), and its lower and upper bounds from
// the decisions surely in range (al, bl: whole days, and whole hours from the hourly
// vectors) plus those of the uncertain edges (ae, be: partial days, or partial hours),
// which may or may not fall in range.
const KEYS: Record<AccountSort, { exact: string; lower: string; upper: string }> = {
  total: { exact: 'allowed + blocked', lower: 'al + bl', upper: 'al + bl + ae + be' },
  blocked: { exact: 'blocked', lower: 'bl', upper: 'bl + be' },
  allowed: { exact: 'allowed', lower: 'al', upper: 'al + ae' },
  blockRate: {
    exact: 'blocked::float / nullif(allowed + blocked, 0)',
    lower: 'bl::float / nullif(al + bl + ae, 0)',
    upper: '(bl + be)::float / nullif(al + bl + be, 0)',
  },
  lastSeen: { exact: 'last_seen', lower: 'last_seen', upper: 'last_seen' },
  firstSeen: { exact: 'first_seen', lower: 'first_seen', upper: 'first_seen' },
  id: { exact: 'account_id', lower: 'account_id', upper: 'account_id' },
  // '' stands for no name: first ascending, last descending, as NULLS FIRST/LAST would.
  name: { exact: "coalesce(name, '')", lower: "coalesce(name, '')", upper: "coalesce(name, '')" },
};

/** Raw decisions in the spans, with the filters: one statement per span, as OR-ing them would keep the time out of the index condition. */
function spanRows(spans: Span[], filters: Filters, columns: string, extra: Prisma.Sql[]): Prisma.Sql {
  return spans.length
    ? Prisma.join(spans.map((s) => Prisma.sql`SELECT ${Prisma.raw(columns)} FROM access_decisions
        WHERE ${rawSpanWhere(s, filters, extra)}`), ' UNION ALL ')
    : Prisma.sql`SELECT ${Prisma.raw(columns)} FROM access_decisions WHERE false`;
}

/** Which accounts a search finds: the one condition every path of the list uses. */
const searchMatch = (pattern: string) => Prisma.sql`(id ILIKE ${pattern} OR name ILIKE ${pattern})`;

const searchClause = (pattern: string | null, column: string) =>
  pattern ? [Prisma.sql`${Prisma.raw(column)} IN (SELECT id FROM accounts WHERE ${searchMatch(pattern)})`] : [];

/**
 * The accounts list of a range without a whole UTC day (under two days, such as the last
 * 24 hours) where the vectors do not answer (a filter on region, provider or channel, or
 * the CSV export of every account): the running totals cannot bound anything there, so
 * the range's raw rows are counted per account in one pass over the time index, and only
 * the page's accounts are read again for the regions and channels they used.
 */
function edgeOnlyAccountsSql(
  filters: Filters,
  query: AccountQuery,
  spans: Span[],
  pattern: string | null,
  slice?: { limit: number; offset: number },
): Prisma.Sql {
  const key = KEYS[query.column];
  const attribute = ['name', 'firstSeen', 'lastSeen'].includes(query.column);
  const direction = Prisma.raw(query.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST');
  // The total as a window count over the grouped rows: a CTE read twice (rows and count)
  // would be materialized, ~20 ms of the ~80 for a day at 10M rows.
  return Prisma.sql`
    WITH p AS (
      SELECT c.account_id AS id, c.allowed, c.blocked, ${Prisma.raw(key.exact)} AS sort_key, count(*) OVER () AS total_count
        FROM (SELECT account_id, count(*) FILTER (WHERE decision = 'allowed') AS allowed, count(*) FILTER (WHERE decision = 'blocked') AS blocked
                FROM (${spanRows(spans, filters, 'account_id, decision', searchClause(pattern, 'account_id'))}) e
               GROUP BY account_id) c
        ${attribute ? Prisma.sql`JOIN accounts a ON a.id = c.account_id` : Prisma.empty}
       ORDER BY sort_key ${direction}, c.account_id
       ${slice ? Prisma.sql`LIMIT ${num(slice.limit)} OFFSET ${num(slice.offset)}` : Prisma.empty}
    )
    SELECT p.id, a.name, p.allowed, p.blocked, a.first_seen, a.last_seen, seen.regions, seen.channels,
           p.total_count::int AS total_count
      FROM p JOIN accounts a ON a.id = p.id CROSS JOIN LATERAL (
        SELECT array_agg(DISTINCT trim(caller_region)) AS regions, array_agg(DISTINCT channel) AS channels
          FROM (${spanRows(spans, filters, 'caller_region, channel', [Prisma.sql`account_id = p.id`])}) x) seen
     ORDER BY p.sort_key ${direction}, p.id`;
}

/** What the running totals of whole days and the raw rows of edge days share. */
interface RangeSql {
  filters: Filters;
  query: AccountQuery;
  months: MonthDays[];
  /** Spans whose raw rows the candidates' counts add: the partial edge days, or only their partial hours. */
  edgeSpans: Span[];
  /**
   * The partial edge days, where the edge spans are only their partial hours: the page's
   * accounts' raw rows there give the regions and channels seen besides the whole days'.
   */
  seenSpans?: Span[];
  slice?: { limit: number; offset: number };
}

/**
 * Whether the running row `m` (of the page's account `p`) had decisions in the range on
 * its partial edge days: it had some on those days, and a raw row there falls in range.
 * Most routes of an account also have decisions on whole days, and are not probed.
 */
function seenOnEdgeDays(spans: Span[], filters: Filters, allowed: boolean, blocked: boolean): Prisma.Sql {
  const route = [Prisma.sql`account_id = p.id`, Prisma.sql`caller_region = m.caller_region`, Prisma.sql`provider = m.provider`, Prisma.sql`channel = m.channel`];
  return Prisma.sql`((${daysSum('allowed', allowed, 'tlo', 'thi')} > 0 OR ${daysSum('blocked', blocked, 'tlo', 'thi')} > 0)
    AND EXISTS (${spanRows(spans, filters, '1', route)}))`;
}

/**
 * The list's rows from candidate accounts: a CTE `candidates` (account_id, al, bl, sure,
 * and the sort's attribute columns) of every account that could rank within the slice,
 * with its decisions surely in range (al, bl: whole days, and whole hours where the hourly
 * vectors answered) and whether those are any (sure). Their raw rows in the edge spans are
 * counted, they are sorted by their exact key, and the slice's rows get the regions and
 * channels seen. `sure` counts the accounts surely in range, for the total.
 */
function exactRowsSql(range: RangeSql, ctes: Prisma.Sql, sure: Prisma.Sql, probeEdges: boolean): Prisma.Sql {
  const { filters, query, slice } = range;
  const allowed = admits(filters, 'allowed');
  const blocked = admits(filters, 'blocked');
  const direction = Prisma.raw(query.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST');
  return Prisma.sql`
    WITH ${ctes}, edge_routes AS (
      SELECT account_id, caller_region, channel,
             count(*) FILTER (WHERE decision = 'allowed') AS a, count(*) FILTER (WHERE decision = 'blocked') AS b
        FROM (${spanRows(range.edgeSpans, filters, 'account_id, decision, caller_region, channel',
          probeEdges ? [Prisma.sql`account_id IN (SELECT account_id FROM candidates)`] : [])}) e
       GROUP BY 1, 2, 3
    ), edge_counts AS (
      -- Hashed twice rather than array_agg(DISTINCT ...), which would sort every edge row;
      -- the few repeats left in the arrays go where the page's rows are assembled.
      SELECT account_id, sum(a)::bigint AS a, sum(b)::bigint AS b, array_agg(caller_region) AS regions, array_agg(channel) AS channels
        FROM edge_routes GROUP BY account_id
    ), exact AS (
      SELECT c.*, c.al + coalesce(e.a, 0) AS allowed, c.bl + coalesce(e.b, 0) AS blocked,
             e.regions AS edge_regions, e.channels AS edge_channels
        FROM candidates c LEFT JOIN edge_counts e USING (account_id)
    ), p AS (
      SELECT account_id AS id, allowed, blocked, edge_regions, edge_channels, ${Prisma.raw(KEYS[query.column].exact)} AS sort_key
        FROM exact WHERE allowed + blocked > 0
       ORDER BY sort_key ${direction}, account_id
       ${slice ? Prisma.sql`LIMIT ${num(slice.limit)} OFFSET ${num(slice.offset)}` : Prisma.empty}
    )
    SELECT p.id, a.name, p.allowed, p.blocked, a.first_seen, a.last_seen, seen.regions, seen.channels,
           (${sure} + (SELECT count(*) FROM exact WHERE NOT sure AND allowed + blocked > 0))::int AS total_count
      FROM p JOIN accounts a ON a.id = p.id CROSS JOIN LATERAL (
        -- Routes with decisions on whole days, those the edge spans' rows showed, and (where
        -- the edge spans are partial hours) those with rows in the range's part of an edge day.
        SELECT array_agg(DISTINCT trim(region)) FILTER (WHERE region IS NOT NULL) AS regions,
               array_agg(DISTINCT channel) FILTER (WHERE channel IS NOT NULL) AS channels FROM (
          SELECT m.caller_region AS region, m.channel FROM ${runningRowsIn(range.filters, range.months, [Prisma.sql`m.account_id = p.id`])}
             AND (${daysSum('allowed', allowed, 'wlo', 'whi')} > 0 OR ${daysSum('blocked', blocked, 'wlo', 'whi')} > 0
                  ${range.seenSpans ? Prisma.sql`OR ${seenOnEdgeDays(range.seenSpans, filters, allowed, blocked)}` : Prisma.empty})
          UNION ALL SELECT unnest(p.edge_regions), NULL
          UNION ALL SELECT NULL, unnest(p.edge_channels)
        ) x) seen
     ORDER BY p.sort_key ${direction}, p.id`;
}

/**
 * The accounts list as SQL (the CSV export streams all of it; listAccounts reads a slice,
 * from the running vectors when they answer).
 *
 * Whole UTC days come from the running monthly rows (lib/rollups/account-running-monthly.ts):
 * two subscripts per account route and month. A range's partial edge days need raw rows, up to a day of every account's
 * decisions; so each account first gets bounds (edge days counted wholly or not at all),
 * and only accounts that could rank among the first offset + limit are counted exactly:
 * if K accounts surely hold a key of at least L, none whose bound stays below L can rank
 * before them. Accounts seen only on edge days are always counted exactly, being perhaps
 * not in range at all. Every row carries the total, for pagination. A range without a
 * whole day is counted from raw rows alone (edgeOnlyAccountsSql).
 */
export function accountsSql(filters: Filters, query: AccountQuery, slice?: { limit: number; offset: number }): Prisma.Sql {
  const pattern = searchPattern(query.search);
  const months = monthDays(filters.from, filters.to);
  const edgeSpans = dayParts(filters.from, filters.to).raw;
  if (!months.some((m) => m.whole[1] >= m.whole[0])) return edgeOnlyAccountsSql(filters, query, edgeSpans, pattern, slice);
  const range: RangeSql = { filters, query, months, edgeSpans, slice };
  const allowed = admits(filters, 'allowed');
  const blocked = admits(filters, 'blocked');
  const key = KEYS[query.column];
  // Sorts by an account's attribute read it for every account; the others only for a page.
  const attribute = ['name', 'firstSeen', 'lastSeen'].includes(query.column);
  const k = slice ? slice.offset + slice.limit : null;
  const desc = query.desc;
  // The K-th key among accounts surely in range, each taken at its worst; accounts whose
  // best cannot reach it cannot rank among the first K.
  const couldRank = k === null
    ? Prisma.sql`true`
    : Prisma.sql`NOT sure OR ${Prisma.raw(desc ? key.upper : key.lower)} ${Prisma.raw(desc ? '>=' : '<=')} coalesce(
        (SELECT ${Prisma.raw(desc ? key.lower : key.upper)} FROM bounds WHERE sure
          ORDER BY 1 ${Prisma.raw(desc ? 'DESC' : 'ASC')} LIMIT 1 OFFSET ${num(k - 1)}),
        ${Prisma.raw(desc ? key.lower : key.upper)})`;
  const ctes = Prisma.sql`r AS (
      SELECT m.account_id,
             sum(${daysSum('allowed', allowed, 'wlo', 'whi')})::bigint AS al,
             sum(${daysSum('blocked', blocked, 'wlo', 'whi')})::bigint AS bl,
             sum(${daysSum('allowed', allowed, 'tlo', 'thi')})::bigint AS at,
             sum(${daysSum('blocked', blocked, 'tlo', 'thi')})::bigint AS bt
        FROM ${runningRowsIn(filters, months, searchClause(pattern, 'm.account_id'))}
       GROUP BY m.account_id
    ), bounds AS (
      SELECT r.account_id, al, bl, at - al AS ae, bt - bl AS be, al + bl > 0 AS sure
             ${attribute ? Prisma.sql`, a.name, a.first_seen, a.last_seen` : Prisma.empty}
        FROM r ${attribute ? Prisma.sql`JOIN accounts a ON a.id = r.account_id` : Prisma.empty}
       WHERE at + bt > 0
    ), candidates AS MATERIALIZED (
      SELECT * FROM bounds WHERE ${couldRank}
    )`;
  // With no slice every account is a candidate: one scan of the edge spans then beats an
  // index probe per account.
  return exactRowsSql(range, ctes, Prisma.sql`(SELECT count(*) FROM bounds WHERE sure)`, k !== null);
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

const ALL_ROUTES: Cell = { callerRegion: '', provider: '', channel: '' };
const CELL_COLUMN = { region: 'callerRegion', provider: 'provider', channel: 'channel' } as const;

/** A byte per ordinal up to the largest given, 1 for those given. */
function ordinalMask(ordinals: number[]): Uint8Array {
  let max = 0;
  for (const o of ordinals) max = Math.max(max, o);
  const mask = new Uint8Array(max + 1);
  for (const o of ordinals) mask[o] = 1;
  return mask;
}

/**
 * The vectors' cells that make a filter's counts: every route's, those of the values a
 * filter on one dimension includes, or every route's less those of the values it
 * excludes. Null where it constrains more than one of region, provider and channel.
 */
function filterCells(filters: Filters): SignedCell[] | null {
  const constrained = constrainedDimensions(filters, RUNNING_DIMENSIONS);
  if (constrained.length === 0) return [{ cell: ALL_ROUTES, sign: 1 }];
  if (constrained.length > 1) return null;
  const dimension = constrained[0]!;
  const { include, exclude } = filters[dimension];
  const cellOf = (value: string): Cell => ({ ...ALL_ROUTES, [CELL_COLUMN[dimension]]: value });
  if (include.length) return [...new Set(include)].filter((v) => !exclude.includes(v)).map((v) => ({ cell: cellOf(v), sign: 1 }));
  return [{ cell: ALL_ROUTES, sign: 1 }, ...[...new Set(exclude)].map((v) => ({ cell: cellOf(v), sign: -1 as const }))];
}

const sameSpans = (a: Span[], b: Span[]) =>
  a.length === b.length && a.every((s, i) => s.from.getTime() === b[i]!.from.getTime() && s.to.getTime() === b[i]!.to.getTime());

/** Above this many candidates, their edge rows come from one scan of the edge spans rather than a probe each. */
const MAX_PROBED_CANDIDATES = 2000;
/** What walking an account in id order costs against scanning one (index and heap against heap alone). */
const WALK_COST = 3;
/** What an index probe of one account's rows in a span costs, in rows of a scan (~8 µs against ~1). */
const PROBE_ROWS = 8;

/** The decisions the edge counts hold, which the edge spans' scan reads at most. */
function edgeDecisions(totals: VectorTotals, scope: { allowed: boolean; blocked: boolean }): number {
  let n = 0;
  for (let i = 0; i < totals.edgeAllowed.length; i++) n += (scope.allowed ? totals.edgeAllowed[i]! : 0) + (scope.blocked ? totals.edgeBlocked[i]! : 0);
  return n;
}

/** The candidates CTE of exactRowsSql from accounts chosen in Node, with their whole days' counts. */
function chosenCandidates(chosen: ArrayLike<number>, allowedOf: ArrayLike<number>, blockedOf: ArrayLike<number>): Prisma.Sql {
  // Plain arrays: Prisma would send a typed array as bytes.
  const ordinals = Array.from(chosen);
  const allowed = Array.from(allowedOf);
  const blocked = Array.from(blockedOf);
  // Up to a few thousand accounts, a lookup each: the planner's costs (random_page_cost 4)
  // pick hashing all 90,000 accounts for 1,500 of them (20 ms against 5); LIMIT 1 (ordinals
  // are unique) keeps the subquery from being flattened back into that join.
  const accounts = ordinals.length <= MAX_PROBED_CANDIDATES
    ? Prisma.sql`CROSS JOIN LATERAL (SELECT * FROM accounts a WHERE a.ordinal = c.ordinal LIMIT 1) a`
    : Prisma.sql`JOIN accounts a ON a.ordinal = c.ordinal`;
  return Prisma.sql`candidates AS MATERIALIZED (
      SELECT a.id AS account_id, c.al, c.bl, c.al + c.bl > 0 AS sure, a.name, a.first_seen, a.last_seen
        FROM unnest(${ordinals}::int[], ${allowed}::bigint[], ${blocked}::bigint[]) c (ordinal, al, bl)
        ${accounts}
    )`;
}

/**
 * A slice of the list from the running and hourly vectors (account-totals.ts): every
 * account's counts cost a few additions in Node, and SQL sees only the accounts that
 * matter. Sorts by counts send the accounts whose bounds could rank within the slice
 * (rankingCandidates); sorts by an attribute walk the accounts in range (a bitmap of
 * those surely in it, and those whose edge rows fall in the range) and send the slice's.
 * Unfiltered by region, provider and channel, only the minutes of the partial edge hours
 * are uncertain; a filter on one of them reads the cells of its values (filterCells), at
 * day resolution. Null where the vectors do not answer. Runs its statements in one
 * snapshot (see listAccounts).
 */
async function vectorSlice(
  prisma: Prisma.TransactionClient,
  filters: Filters,
  query: AccountQuery,
  slice: { limit: number; offset: number },
): Promise<AccountSqlRow[] | null> {
  // Filters on more than one of region, provider and channel have no cell: the running
  // rows answer them (subtracting the routes they leave out from every route's vectors
  // measured slower, as it reads every running row of the range's months either way).
  const cells = filterCells(filters);
  if (!cells) return null;
  const totals = await accountTotals(prisma, filters.from, filters.to, cells);
  if (!totals) return null;
  const pattern = searchPattern(query.search);
  // In the snapshot's transaction, one statement after another: a search on a connection of
  // its own could wait for one while every connection waits in such a transaction.
  const matched = pattern
    ? (await prisma.$queryRaw<{ ordinals: number[] }[]>`
        SELECT coalesce(array_agg(ordinal), '{}') AS ordinals FROM accounts WHERE ${searchMatch(pattern)}`)[0]!.ordinals
    : null;
  const dayEdges = dayParts(filters.from, filters.to).raw;
  const range: RangeSql = {
    filters, query, months: monthDays(filters.from, filters.to), edgeSpans: totals.countSpans, slice,
    seenSpans: sameSpans(totals.countSpans, dayEdges) ? undefined : dayEdges,
  };
  const scope = {
    allowed: admits(filters, 'allowed'), blocked: admits(filters, 'blocked'),
    only: matched && ordinalMask(matched),
  };
  const column = COUNT_SORTS.find((c) => c === query.column);
  if (column) {
    const k = slice.offset + slice.limit;
    let c = rankingCandidates(totals, { ...scope, column, desc: query.desc, k });
    // Keys tied at the threshold (90,000 accounts with 100 decisions each on the bench's
    // data; accounts without blocks under a sort by blocked) leave the bounds unable to rule
    // anyone out: the ties go by account id, so of the tied candidates only those with an id
    // up to the K-th smallest among the accounts surely at the threshold can rank.
    if (c.tied.candidates.length > MAX_PROBED_CANDIDATES && c.tied.exact.length >= k) {
      // Both sets as bitmaps over the ordinals (inOrdinalBitmap).
      const size = totals.allowed.length;
      const exact = ordinalBitmap(c.tied.exact, size);
      const tiedOrdinals = new Int32Array(c.tied.candidates.length);
      for (let j = 0; j < tiedOrdinals.length; j++) tiedOrdinals[j] = c.ordinals[c.tied.candidates[j]!]!;
      const tied = ordinalBitmap(tiedOrdinals, size);
      const bit = (bitmap: Uint8Array) => inOrdinalBitmap(bitmap, size);
      // Walked in id order, the tied candidates rank up to the K-th exact one; that one
      // comes within the first K plus the candidates that are not exact. The walk reads
      // accounts in id order until it has seen that many tied ones, about walk / tied of all
      // accounts: where that beats scanning them all, the id index is walked.
      const walk = k + c.tied.candidates.length - c.tied.exact.length;
      let kept: number[];
      if (walk * WALK_COST < c.tied.candidates.length) {
        const rows = await prisma.$queryRaw<{ ordinal: number; exact: boolean }[]>`
          SELECT ordinal, ${bit(exact)} AS exact FROM accounts WHERE ${bit(tied)} ORDER BY id LIMIT ${num(walk)}`;
        kept = [];
        for (let n = 0, i = 0; n < k && i < rows.length; i++) {
          kept.push(rows[i]!.ordinal);
          if (rows[i]!.exact) n++;
        }
      } else {
        const [row] = await prisma.$queryRaw<{ kept: number[] }[]>`
          WITH kth AS (SELECT id FROM accounts WHERE ${bit(exact)} ORDER BY id LIMIT 1 OFFSET ${num(k - 1)})
          SELECT coalesce(array_agg(ordinal), '{}') AS kept FROM accounts
           WHERE ${bit(tied)}
             -- Without a K-th (it cannot be missing, but if it were), every tied one stays.
             AND id <= coalesce((SELECT id FROM kth), id)`;
        kept = row!.kept;
      }
      c = withoutTiedOut(c, new Set(kept));
    }
    // Many candidates left make an index probe per account slower than one scan of the
    // edge spans (2.5 s against ~0.3 s at 10M rows); partial hours alone hold so few rows
    // that their scan often beats probing even a few hundred (probes read ~8 rows' worth each).
    const probe = c.ordinals.length <= MAX_PROBED_CANDIDATES &&
      c.ordinals.length * range.edgeSpans.length * PROBE_ROWS < edgeDecisions(totals, scope);
    return prisma.$queryRaw<AccountSqlRow[]>(exactRowsSql(range, chosenCandidates(c.ordinals, c.allowed, c.blocked), Prisma.sql`${c.sure}::bigint`, probe));
  }
  const members = rangeMembers(totals, scope);
  const direction = Prisma.raw(query.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST');
  // The total is the sure accounts' and the edge hits': counting the listing would keep all of it.
  const page = await prisma.$queryRaw<{ ordinal: number; total: number }[]>`
    WITH edge_hits AS MATERIALIZED (
      SELECT DISTINCT account_id FROM (${spanRows(range.edgeSpans, filters, 'account_id',
        [Prisma.sql`account_id IN (SELECT id FROM accounts WHERE ordinal = ANY(${members.edgeOnly}::int[]))`])}) e
    ), listed AS (
      SELECT a.id AS account_id, a.ordinal, a.name, a.first_seen, a.last_seen FROM accounts a
       WHERE ${inOrdinalBitmap(members.sure, members.size, 'a.ordinal')}
      UNION ALL
      SELECT a.id, a.ordinal, a.name, a.first_seen, a.last_seen FROM edge_hits h JOIN accounts a ON a.id = h.account_id
    )
    SELECT ordinal, (${members.sureCount} + (SELECT count(*) FROM edge_hits))::int AS total FROM listed
     ORDER BY ${Prisma.raw(KEYS[query.column].exact)} ${direction}, account_id
     LIMIT ${num(slice.limit)} OFFSET ${num(slice.offset)}`;
  if (page.length === 0) return [];
  const ordinals = page.map((r) => r.ordinal);
  const pick = (values: Float64Array, admitted: boolean) => ordinals.map((o) => (admitted ? values[o] ?? 0 : 0));
  const rows = await prisma.$queryRaw<AccountSqlRow[]>(exactRowsSql(
    { ...range, slice: { limit: slice.limit, offset: 0 } },
    chosenCandidates(ordinals, pick(totals.allowed, scope.allowed), pick(totals.blocked, scope.blocked)),
    Prisma.sql`0`, true,
  ));
  // The listing counted every account in range; the page's query only its own.
  return rows.map((r) => ({ ...r, total_count: page[0]!.total }));
}

/**
 * Accounts with decisions in the range (and filters), searched, sorted and paginated. The
 * list takes several statements (vectorSlice), so they share one snapshot: a batch
 * committed between them would otherwise be counted for some days and not others. The
 * transaction holds one connection, and nothing in it waits for another.
 */
export async function listAccounts(
  prisma: PrismaClient,
  filters: Filters,
  options: AccountQuery & { page: number; pageSize: number },
): Promise<{ rows: AccountListRow[]; total: number }> {
  return inSnapshot(prisma, async (tx) => {
    // In the snapshot: a decision stored after this read cannot land in the span it adds.
    const counted = widenedTo(filters, await storedExtent(tx));
    const read = async (limit: number, offset: number) =>
      (await vectorSlice(tx, counted, options, { limit, offset })) ??
      tx.$queryRaw<AccountSqlRow[]>(accountsSql(counted, options, { limit, offset }));
    const rows = await read(options.pageSize, (options.page - 1) * options.pageSize);
    // A page past the end holds no row to carry the total: the first row does.
    const total = rows[0]?.total_count ?? (options.page > 1 ? ((await read(1, 0))[0]?.total_count ?? 0) : 0);
    return { total, rows: rows.map(toAccountListRow) };
  });
}
