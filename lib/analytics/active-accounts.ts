import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { PRESENCE_CHUNK_BITS, PRESENCE_GROUPINGS } from '@/lib/ingest/presence';

import { type Dimension, DIMENSIONS, type Filters } from './filters';
import { dayParts } from './range';
import { accountsSql, type AccountSqlRow } from './accounts';
import { day, where } from './sources';

// How many distinct accounts had a decision in the filters' range and dimensions.
// Whole UTC days come from the presence bitmaps (lib/ingest/presence.ts): the days' bitmaps
// are ORed per chunk of ordinals and their bits counted. The partial days at the edges
// would take a raw scan of up to a day of decisions (0.6 s at 10M rows); instead, only
// accounts present on an edge day and absent from every whole day (usually few) are
// looked up, each with one probe of the (account_id, occurred_at) index. A
// filter on a combination of dimensions the bitmaps do not keep, or a range without a
// whole day, is counted as the accounts list counts (accounts.ts): slower, never wrong.

const PRESENCE_COLUMN: Record<Dimension, string> = {
  region: 'caller_region',
  provider: 'provider',
  channel: 'channel',
  decision: 'decision',
};

function constrained(filters: Filters): Dimension[] {
  return DIMENSIONS.filter((d) => filters[d].include.length > 0 || filters[d].exclude.length > 0);
}

/** Whether the bitmaps keep the combination of dimensions these filters constrain. */
export function presenceAnswers(filters: Filters): boolean {
  const dims = constrained(filters);
  return PRESENCE_GROUPINGS.some((g) => g.length === dims.length && dims.every((d) => g.includes(d)));
}

function cellClauses(filters: Filters): Prisma.Sql[] {
  return DIMENSIONS.map((d) => {
    const column = Prisma.raw(PRESENCE_COLUMN[d]);
    const { include, exclude } = filters[d];
    if (!include.length && !exclude.length) return Prisma.sql`${column} = ''`;
    const clauses = [Prisma.sql`${column} <> ''`];
    if (include.length) clauses.push(Prisma.sql`${column} IN (${Prisma.join(include)})`);
    if (exclude.length) clauses.push(Prisma.sql`${column} NOT IN (${Prisma.join(exclude)})`);
    return Prisma.join(clauses, ' AND ');
  });
}

export async function countActiveAccounts(prisma: PrismaClient, filters: Filters): Promise<number> {
  const parts = dayParts(filters.from, filters.to);
  const days = parts.daily[0];
  if (!days || !presenceAnswers(filters)) {
    // The accounts list counts the accounts it pages through, exactly: its first row carries it.
    const rows = await prisma.$queryRaw<AccountSqlRow[]>(accountsSql(filters, { column: 'id', desc: false }, { limit: 1, offset: 0 }));
    return rows[0]?.total_count ?? 0;
  }
  const cells = Prisma.join(cellClauses(filters), ' AND ');
  // The UTC days the partial edges fall in (the day after the whole days, for the end).
  const edgeDays = parts.raw.map((s) => day(s.from));
  const edgeSpans = parts.raw.map((s) => Prisma.sql`(${where([Prisma.sql`r.occurred_at >= ${s.from}`, Prisma.sql`r.occurred_at < ${s.to}`], filters)})`);
  const bits = Prisma.raw(String(PRESENCE_CHUNK_BITS));
  const rows = await prisma.$queryRaw<{ n: number }[]>`
    WITH days AS (
      SELECT chunk, bit_or(bits) AS bits FROM account_presence_daily
       WHERE bucket >= ${day(days.from)}::date AND bucket < ${day(days.to)}::date AND ${cells}
       GROUP BY chunk
    ), edge_only AS (
      -- Accounts active on an edge day and on none of the whole days: only these need raw rows.
      SELECT e.chunk, CASE WHEN d.bits IS NULL THEN e.bits ELSE e.bits & ~d.bits END AS bits
        FROM (SELECT chunk, bit_or(bits) AS bits FROM account_presence_daily
               WHERE bucket IN (${edgeDays.length ? Prisma.join(edgeDays.map((d) => Prisma.sql`${d}::date`)) : Prisma.sql`NULL::date`}) AND ${cells}
               GROUP BY chunk) e
        LEFT JOIN days d USING (chunk)
    ), candidates AS (
      SELECT o.chunk * ${bits} + i AS ordinal
        FROM (SELECT * FROM edge_only WHERE bit_count(bits) > 0) o
       CROSS JOIN LATERAL generate_series(0, ${bits} - 1) i
       WHERE get_bit(o.bits, i) = 1
    )
    SELECT ((SELECT coalesce(sum(bit_count(bits)), 0) FROM days)
          + (SELECT count(*) FROM candidates c JOIN accounts a ON a.ordinal = c.ordinal
              WHERE EXISTS (SELECT 1 FROM access_decisions r
                             WHERE r.account_id = a.id AND (${edgeSpans.length ? Prisma.join(edgeSpans, ' OR ') : Prisma.sql`false`}))))::int AS n`;
  return rows[0]?.n ?? 0;
}
