import type pg from 'pg';

import { day, where } from '@/lib/analytics/filter-sql';
import { constrainedDimensions, type Dimension, DIMENSIONS, type Filters } from '@/lib/analytics/filters';
import type { Span } from '@/lib/analytics/range';
import { copyLines } from '@/lib/db/copy-in';
import { cursorBatches } from '@/lib/db/cursor';
import { dayText } from '@/lib/db/copy-format';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import type { RouteParts } from '@/lib/ingest/tally';

// account_presence_daily: which accounts were active on a UTC day, as bitmaps over account ordinals
// (accounts.ordinal), per "cell": a combination of filter-bar dimension values where ''
// stands for every value. The dashboard's "accounts" headline is a count of distinct
// accounts for any range and filter; counting them from per-account daily counts read a
// row per account, day and route, which for 10M decisions by 100k accounts took seconds.
// ORing 30 days of 1 KB bitmaps and counting bits takes milliseconds (README, Design).
//
// Cells are kept for these groupings of dimensions; a filter that constrains any other
// combination is counted as the accounts list counts instead (analytics/active-accounts.ts).
//
// Costs: a 1 KB row per day, cell and chunk of 8,192 ordinals with any account active
// (40k rows for 10M decisions over 90 days); a batch ORs its bitmaps into the stored ones.

export const PRESENCE_GROUPINGS: ReadonlyArray<ReadonlyArray<Dimension>> = [
  [],
  ['region'],
  ['provider'],
  ['channel'],
  ['decision'],
  ['region', 'decision'],
  ['provider', 'decision'],
  ['channel', 'decision'],
];

/** Bits per bitmap row: an account's ordinal n is bit n % 8192 (leftmost first) of chunk n / 8192. */
export const PRESENCE_CHUNK_BITS = 8192;
const CHUNK_BYTES = PRESENCE_CHUNK_BITS / 8;
const CHUNK_SHIFT = 13;
/** Bitmaps held in memory before they are moved to the database (1 KB each). */
const MAX_HELD = 16_384;
// Numeric map keys: ((day × CELL_SPACE) + cell) × CHUNK_SPACE + chunk stays below 2^53.
const CELL_SPACE = 2 ** 20;
const CHUNK_SPACE = 2 ** 16;

const COLUMNS = 'bucket, caller_region, provider, channel, decision, chunk, bits';
const KEY = 'bucket, caller_region, provider, channel, decision, chunk';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Collects a batch's (day, account, route) presence and writes it as bitmap rows. */
export class PresenceBitmaps {
  private readonly cellIds = new Map<string, number>();
  /** COPY text of each cell's four dimension columns. */
  private readonly cellTexts: string[] = [];
  private readonly routeCells = new Map<string, number[]>();
  private readonly bitmaps = new Map<number, Uint8Array>();
  private flushed = false;

  constructor(private readonly client: pg.PoolClient) {}

  /** The cells a route belongs to, one per grouping. */
  cellsOf(route: RouteParts): number[] {
    const routeKey = `${route.callerRegion}\t${route.provider}\t${route.channel}\t${route.decision}`;
    let cells = this.routeCells.get(routeKey);
    if (cells === undefined) {
      const value: Record<Dimension, string> = {
        region: route.callerRegion.trim(), provider: route.provider, channel: route.channel, decision: route.decision,
      };
      cells = PRESENCE_GROUPINGS.map((grouping) => {
        const text = DIMENSIONS.map((d) => (grouping.includes(d) ? value[d] : '')).join('\t');
        let id = this.cellIds.get(text);
        if (id === undefined) {
          id = this.cellTexts.length;
          if (id >= CELL_SPACE) throw new Error('Too many dimension combinations in one batch');
          this.cellIds.set(text, id);
          this.cellTexts.push(text);
        }
        return id;
      });
      this.routeCells.set(routeKey, cells);
    }
    return cells;
  }

  /** Whether the held bitmaps should be flushed before more are added. */
  get full(): boolean {
    return this.bitmaps.size >= MAX_HELD;
  }

  /**
   * Marks an account active on a day (days since 1970-01-01, UTC) in the given cells.
   * Synchronous (an await per row costs more than the bit): callers flush when `full`.
   */
  add(day: number, ordinal: number, cells: number[]): void {
    const chunk = ordinal >>> CHUNK_SHIFT;
    const bit = ordinal & (PRESENCE_CHUNK_BITS - 1);
    const byte = bit >>> 3;
    const mask = 0x80 >>> (bit & 7);
    for (const cell of cells) {
      const key = (day * CELL_SPACE + cell) * CHUNK_SPACE + chunk;
      let bitmap = this.bitmaps.get(key);
      if (bitmap === undefined) {
        bitmap = new Uint8Array(CHUNK_BYTES);
        this.bitmaps.set(key, bitmap);
      }
      bitmap[byte]! |= mask;
    }
  }

  /** Moves the held bitmaps into a temporary table (summed at `write`). */
  async flush(): Promise<void> {
    if (this.bitmaps.size === 0) return;
    if (!this.flushed) {
      await this.client.query(`CREATE TEMP TABLE IF NOT EXISTS gw_presence_in (LIKE account_presence_daily) ON COMMIT DROP`);
      await this.client.query('TRUNCATE gw_presence_in');
      this.flushed = true;
    }
    await copyLines(this.client, `COPY gw_presence_in (${COLUMNS}) FROM STDIN`, this.lines());
    this.bitmaps.clear();
  }

  private *lines(): Generator<string> {
    for (const [key, bitmap] of this.bitmaps) {
      const chunk = key % CHUNK_SPACE;
      const rest = (key - chunk) / CHUNK_SPACE;
      const cell = rest % CELL_SPACE;
      const day = (rest - cell) / CELL_SPACE;
      let hex = '';
      for (let i = 0; i < CHUNK_BYTES; i++) hex += HEX[bitmap[i]!];
      yield `${dayText(day)}\t${this.cellTexts[cell]}\t${chunk}\tX${hex}\n`;
    }
  }

  /** ORs everything collected into account_presence_daily. Runs under the merge lock. */
  async write(): Promise<void> {
    await this.flush();
    if (!this.flushed) return;
    await this.client.query(`
      INSERT INTO account_presence_daily AS t (${COLUMNS})
      SELECT ${KEY}, bit_or(bits) FROM gw_presence_in GROUP BY ${KEY} ORDER BY ${KEY}
      ON CONFLICT (${KEY}) DO UPDATE SET bits = t.bits | excluded.bits`);
    await this.client.query('TRUNCATE gw_presence_in');
    this.flushed = false;
  }
}

/**
 * Writes the presence of every row the query returns, in columns `day` (days since
 * 1970-01-01), `ordinal`, caller_region, provider, channel, decision: for counts that are
 * in SQL already (the partial tallies of large batches, a rebuild). Read through a cursor
 * so that memory stays bounded; runs inside the caller's transaction.
 */
export async function writePresenceFromQuery(client: pg.PoolClient, query: string): Promise<void> {
  const presence = new PresenceBitmaps(client);
  type Row = { day: number; ordinal: number; caller_region: string; provider: string; channel: string; decision: string };
  for await (const rows of cursorBatches<Row>(client, 'gw_presence_rows', query)) {
    for (const r of rows) {
      presence.add(r.day, r.ordinal, presence.cellsOf({
        callerRegion: r.caller_region, provider: r.provider, channel: r.channel, decision: r.decision,
      }));
      if (presence.full) await presence.flush();
    }
  }
  await presence.write();
}


/**
 * The presence rows of a relation with per-account daily counts' columns (bucket,
 * account_id, caller_region, provider, channel, decision), day by day: in any other order
 * every day's bitmaps would be flushed and read back many times.
 */
export function presenceRowsSql(source: string): string {
  return `SELECT x.bucket - DATE '1970-01-01' AS day, a.ordinal, x.caller_region, x.provider, x.channel, x.decision::text AS decision
            FROM ${source} x JOIN accounts a ON a.id = x.account_id
           ORDER BY x.bucket`;
}

/** Every bitmap from the stored decisions (into an empty table: see backfill.ts). */
export function fillPresenceFromDecisions(client: pg.PoolClient): Promise<void> {
  return writePresenceFromQuery(client, presenceRowsSql(`(
    SELECT DISTINCT (occurred_at AT TIME ZONE 'UTC')::date AS bucket, account_id, caller_region, provider, channel, decision
      FROM access_decisions)`));
}

// Reads.

const PRESENCE_COLUMN: Record<Dimension, string> = {
  region: 'caller_region',
  provider: 'provider',
  channel: 'channel',
  decision: 'decision',
};

/** Whether the bitmaps keep the combination of dimensions these filters constrain. */
export function presenceAnswers(filters: Filters): boolean {
  const dims = constrainedDimensions(filters, DIMENSIONS);
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

/**
 * Distinct accounts with a decision in the filters' dimensions on the whole UTC days
 * `days`, or in the partial spans `edges`: the days' bitmaps are ORed per chunk and their
 * bits counted; of the accounts present on an edge's day and on none of the whole days
 * (usually few), each is looked up with one probe of the (account_id, occurred_at) index.
 * Only for filters the bitmaps answer (presenceAnswers).
 */
/** Above this many accounts to look up in raw rows, the edge spans are scanned once instead. */
const MAX_PROBED_CANDIDATES = 2000;

export async function countPresentAccounts(prisma: PrismaClient, filters: Filters, days: Span, edges: Span[]): Promise<number> {
  const cells = Prisma.join(cellClauses(filters), ' AND ');
  // The UTC days the partial edges fall in (the day after the whole days, for the end).
  const edgeDays = edges.map((s) => day(s.from));
  const edgeSpans = edges.map((s) => Prisma.sql`(${where([Prisma.sql`r.occurred_at >= ${s.from}`, Prisma.sql`r.occurred_at < ${s.to}`], filters)})`);
  const inEdges = edgeSpans.length ? Prisma.join(edgeSpans, ' OR ') : Prisma.sql`false`;
  const bits = Prisma.raw(String(PRESENCE_CHUNK_BITS));
  const rows = await prisma.$queryRaw<{ n: number }[]>`
    WITH days AS (
      SELECT chunk, bit_or(bits) AS bits FROM account_presence_daily
       WHERE bucket >= ${day(days.from)}::date AND bucket < ${day(days.to)}::date AND ${cells}
       GROUP BY chunk
    ), edge_only AS MATERIALIZED (
      -- Accounts active on an edge day and on none of the whole days: only these need raw rows.
      -- Materialized: inlined, the bitwise difference was recomputed for each of a chunk's
      -- 8,192 bits (200 ms for a week at 10M rows, against ~10 ms).
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
          -- A probe of the account index per candidate while they are few; past that, one
          -- scan of the edge spans (the previous period of a range that starts where the
          -- data starts has every account of that day as a candidate: 60,000 probes took 1 s).
          -- Only the branch taken runs.
          + CASE WHEN (SELECT count(*) FROM candidates) <= ${MAX_PROBED_CANDIDATES}
            THEN (SELECT count(*) FROM candidates c JOIN accounts a ON a.ordinal = c.ordinal
                   WHERE EXISTS (SELECT 1 FROM access_decisions r
                                  WHERE r.account_id = a.id AND (${inEdges})))
            ELSE (SELECT count(*) FROM candidates c JOIN (
                    SELECT DISTINCT a.ordinal FROM access_decisions r JOIN accounts a ON a.id = r.account_id
                     WHERE ${inEdges}) seen USING (ordinal))
            END)::int AS n`;
  return rows[0]?.n ?? 0;
}
