import type pg from 'pg';

import { BoundedMap } from '@/lib/bounded-map';
import { copyLines } from '@/lib/db/copy-in';
import { copyValue } from '@/lib/db/copy-format';
import { copyOut } from '@/lib/db/copy-out';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { type DecisionTally, microsIso } from '@/lib/ingest/tally';

// accounts: one row per account ever seen, with its latest name, first and last decision,
// and its ordinal (a dense number the presence bitmaps and running vectors index by).
//
// Answers: the accounts list's names and first/last seen, search by id or name, the
// ordinal ↔ id mapping, and how many accounts were last seen since an instant (or first
// seen before one). Costs: a row per account; a batch upserts those it saw, through
// gw_accounts_part (see batch-partials.ts).

export const ACCOUNT_SPAN_COLUMNS = 'id, name, name_seen_at, first_seen, last_seen';

function* accountLines(tally: DecisionTally): Generator<string> {
  for (const [id, s] of tally.accounts) {
    const nameAt = s.nameAt < 0 ? '\\N' : microsIso(s.nameAt);
    yield `${copyValue(id)}\t${copyValue(s.name)}\t${nameAt}\t${microsIso(s.first)}\t${microsIso(s.last)}\n`;
  }
}

/** COPYs the tally's account spans into gw_accounts_part. */
export function copyAccountSpans(client: pg.PoolClient, tally: DecisionTally): Promise<void> {
  return copyLines(client, `COPY gw_accounts_part (${ACCOUNT_SPAN_COLUMNS}) FROM STDIN`, accountLines(tally));
}

// Existing accounts are updated and new ones inserted, rather than INSERT ... ON CONFLICT:
// that draws an ordinal (accounts.ordinal, a sequence) for every account of the batch,
// known or not, and the presence bitmaps and running vectors want ordinals dense.
const accountUpsert = (spans: string) => `
  WITH i AS (
    SELECT id, (array_agg(name ORDER BY name_seen_at DESC) FILTER (WHERE name IS NOT NULL))[1] AS name,
           max(name_seen_at) AS name_seen_at, min(first_seen) AS first_seen, max(last_seen) AS last_seen
      FROM ${spans} GROUP BY id
  ), updated AS (
    UPDATE accounts a SET
      name = CASE WHEN i.name_seen_at IS NOT NULL AND (a.name_seen_at IS NULL OR i.name_seen_at >= a.name_seen_at)
                  THEN i.name ELSE a.name END,
      name_seen_at = GREATEST(a.name_seen_at, i.name_seen_at),
      first_seen = LEAST(a.first_seen, i.first_seen),
      last_seen = GREATEST(a.last_seen, i.last_seen)
      FROM i WHERE a.id = i.id
  )
  INSERT INTO accounts (${ACCOUNT_SPAN_COLUMNS})
  SELECT ${ACCOUNT_SPAN_COLUMNS} FROM i WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = i.id) ORDER BY id`;

/** Merges the spans in gw_accounts_part into accounts. Runs under the merge lock. */
export async function upsertAccountSpans(client: pg.PoolClient): Promise<void> {
  await client.query(accountUpsert('gw_accounts_part'));
}

/** The ordinals of the accounts in a table of spans (after they were merged into accounts). */
async function ordinalsOf(client: pg.PoolClient, spans: string): Promise<Map<string, number>> {
  const ordinalOf = new Map<string, number>();
  await copyOut(client, `SELECT p.id, a.ordinal FROM ${spans} p JOIN accounts a USING (id)`,
    (f) => ordinalOf.set(f[0]!, Number(f[1])));
  return ordinalOf;
}

/** The ordinals of the accounts in gw_accounts_part (after upsertAccountSpans). */
export function batchOrdinals(client: pg.PoolClient): Promise<Map<string, number>> {
  return ordinalsOf(client, 'gw_accounts_part');
}

/**
 * Each of the tally's account routes' ordinal (-1 for a route of an account whose rows were
 * all undone: no key names it), the tally's spans merged into accounts first. A spill
 * writes the hourly vectors, which index by ordinal, at once; the batch's final merge of
 * gw_accounts_part then finds these accounts and changes nothing more than it would have
 * (the merge takes the earliest, latest and latest-named of what it is given and holds).
 * Runs under the merge lock.
 */
export async function accountRouteOrdinals(client: pg.PoolClient, tally: DecisionTally): Promise<Int32Array> {
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS gw_accounts_spill (LIKE gw_accounts_part) ON COMMIT DROP`);
  await client.query('TRUNCATE gw_accounts_spill');
  await copyLines(client, `COPY gw_accounts_spill (${ACCOUNT_SPAN_COLUMNS}) FROM STDIN`, accountLines(tally));
  await client.query(accountUpsert('gw_accounts_spill'));
  const ordinalOf = await ordinalsOf(client, 'gw_accounts_spill');
  return routeOrdinals(tally, ordinalOf);
}

/** Each of the tally's account routes' ordinal, from its accounts' (-1 for an account without one). */
export function routeOrdinals(tally: DecisionTally, ordinalOf: Map<string, number>): Int32Array {
  return Int32Array.from(tally.accountRoutes.account, (id) => ordinalOf.get(id) ?? -1);
}

/** Every account from the stored decisions (into an empty table: the benchmark's generated data). */
export async function fillAccountSpansFromDecisions(client: pg.PoolClient): Promise<void> {
  await client.query(`INSERT INTO accounts (${ACCOUNT_SPAN_COLUMNS})
    SELECT account_id, max(account_name), max(occurred_at), min(occurred_at), max(occurred_at) FROM access_decisions GROUP BY 1`);
}

// Reads.

/**
 * Accounts whose last decision is at or after `lastFrom` (a range of the last_seen index),
 * or whose first is before `firstBefore` (a scan of the accounts: no index on first_seen
 * for a count needed only by ranges that start before the data).
 */
export async function countAccountsSeen(prisma: PrismaClient, bound: { lastFrom: Date } | { firstBefore: Date }): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: number }[]>('lastFrom' in bound
    ? Prisma.sql`SELECT count(*)::int AS n FROM accounts WHERE last_seen >= ${bound.lastFrom}`
    : Prisma.sql`SELECT count(*)::int AS n FROM accounts WHERE first_seen < ${bound.firstBefore}`);
  return row?.n ?? 0;
}

/** Which accounts table a database holds (its database and file: TRUNCATE and a restore give another), as SQL. */
export const accountsTableSql = `current_database() || ':' || pg_relation_filenode('accounts')`;

/**
 * Ordinals of accounts by id as this process has looked them up, per accounts table, in two
 * generations of at most 100,000 each. The edge accounts of a count over hours
 * (account-hourly-vectors.ts) are a few thousand ids, much the same from one call to the
 * next (the partial hours move a minute a minute): looked up in SQL each time, they cost an
 * index probe each (~10 ms of the last 24 hours' previous period at 10M rows). An id keeps
 * its ordinal as long as its table.
 */
class KnownOrdinals {
  private table = '';
  private ordinals = new BoundedMap<string, number>(100_000);

  /** Forgets what another table's ids had. */
  useTable(table: string): void {
    if (table === this.table) return;
    this.table = table;
    this.ordinals.clear();
  }

  get = (id: string) => this.ordinals.get(id);
  set = (id: string, ordinal: number) => this.ordinals.set(id, ordinal);
}

const knownOrdinals = new KnownOrdinals();

/**
 * The ordinals of accounts by id (those of `table`, as accountsTableSql named it in the
 * snapshot the ids were read in): the ones looked up before, the rest in one statement.
 * An id without an account is left out.
 */
export async function accountOrdinals(prisma: PrismaClient | Prisma.TransactionClient, table: string, ids: string[]): Promise<Map<string, number>> {
  knownOrdinals.useTable(table);
  const found = new Map<string, number>();
  const missing: string[] = [];
  for (const id of ids) {
    const ordinal = knownOrdinals.get(id);
    if (ordinal === undefined) missing.push(id);
    else found.set(id, ordinal);
  }
  if (missing.length) {
    for (const r of await prisma.$queryRaw<Array<{ id: string; ordinal: number }>>`SELECT id, ordinal FROM accounts WHERE id = ANY(${missing})`) {
      found.set(r.id, r.ordinal);
      knownOrdinals.set(r.id, r.ordinal);
    }
  }
  return found;
}
