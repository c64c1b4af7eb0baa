import { beforeAll, describe, expect, it } from 'vitest';

import { countActiveAccounts } from '@/lib/analytics/active-accounts';
import { storedExtent } from '@/lib/analytics/data-extent';
import { presenceAnswers } from '@/lib/rollups/account-presence';
import { parseFilters, type Filters } from '@/lib/analytics/filters';
import { migrate } from '@/lib/db/migrate';
import { seededRandom } from '@/lib/demo/random';
import type { DecisionRow } from '@/lib/ingest/validate';

import { ingestRows, matchesFilters, randomDecision } from '../helpers/decision-rows';
import { useTestDatabase } from '../helpers/test-database';

// The "accounts" headline counted from presence bitmaps (and exactly, for filters the
// bitmaps do not keep) against a naive count over sparse data: 12,000 accounts, so that
// ordinals span two bitmap chunks and most accounts are absent from most days.

const START = Date.parse('2025-01-01T00:00:00Z');
const DAYS = 60;
const ACCOUNTS = 12_000;
const REGIONS = ['CN', 'US', 'DE', 'HK'];
function makeRows(count: number, seed: number): DecisionRow[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => randomDecision(random, REGIONS, {
    requestId: `s${seed}-${i}`,
    // Squared: a few busy accounts, a long tail of rare ones.
    accountId: `acct-${Math.floor(random() ** 2 * ACCOUNTS)}`,
    at: START + Math.floor(random() * DAYS * 86_400_000),
  }));
}

const BATCHES = [makeRows(15_000, 1), makeRows(10_000, 2)];
const ROWS = BATCHES.flat();

function naive(f: Filters): number {
  return new Set(ROWS.filter((r) => matchesFilters(r, f)).map((r) => r.accountId)).size;
}

const CASES: Array<[string, boolean]> = [
  ['from=2025-01-01&to=2025-03-02', true],
  ['from=2025-01-10&to=2025-01-11', true],
  ['from=2025-01-03T07:45:00Z&to=2025-02-11T16:20:00Z', true],
  ['from=2025-01-05T10:00:00Z&to=2025-01-05T18:00:00Z', true],
  // Without a whole day, every route: the hourly vectors, and raw rows for partial hours.
  ['from=2025-01-05T10:17:00Z&to=2025-01-06T09:43:10Z', true],
  ['from=2025-01-05T10:17:00Z&to=2025-01-06T09:43:10Z&decision=blocked', true],
  ['from=2025-01-05T10:17:00Z&to=2025-01-05T10:49:00Z', true],
  ['from=2025-01-05T10:17:00Z&to=2025-01-06T09:43:10Z&region=CN', true],
  // Across midnight without a whole day, with filters on several dimensions.
  ['from=2025-01-04T20:00:00Z&to=2025-01-05T19:00:00Z&region=CN&not_channel=direct&decision=blocked', false],
  ['from=2025-01-03T07:45:00Z&to=2025-02-11T16:20:00Z&region=CN,HK', true],
  ['from=2025-01-03T07:45:00Z&to=2025-02-11T16:20:00Z&not_region=CN', true],
  ['from=2025-01-08&to=2025-02-01&provider=azure-openai', true],
  ['from=2025-01-08T12:00:00Z&to=2025-02-01&not_channel=direct', true],
  ['from=2025-01-08&to=2025-02-01T01:00:00Z&decision=blocked', true],
  ['from=2025-01-02T23:59:59Z&to=2025-02-20&region=CN&decision=blocked', true],
  ['from=2025-01-02&to=2025-02-20&channel=azure-china-21vianet&not_decision=allowed', true],
  ['from=2025-01-02&to=2025-02-20&not_provider=openai&decision=allowed', true],
  ['from=2025-01-02T06:00:00Z&to=2025-02-20&region=CN&channel=azure-china-21vianet', false],
  ['from=2025-01-02&to=2025-02-20&region=US&provider=openai&decision=blocked', false],
  // Ending after the last decision (as every preset ends now): unfiltered, the accounts last
  // seen since the start; filtered, the usual ways.
  ['from=2025-02-25T13:30:00Z&to=2025-03-05T00:00:00Z', true],
  ['from=2025-03-01T09:00:00Z&to=2025-03-02T09:00:00Z', true],
  ['from=2025-03-01T09:00:00Z&to=2025-03-02T09:00:00Z&decision=blocked', true],
  ['from=2025-02-25T13:30:00Z&to=2025-03-05T00:00:00Z&region=CN', true],
  // Starting before the first decision (the previous period of a range that starts where the
  // data starts): unfiltered, the accounts first seen before the end.
  ['from=2024-12-20T00:00:00Z&to=2025-01-03T05:00:00Z', true],
  ['from=2024-12-31T21:00:00Z&to=2025-01-01T20:00:00Z', true],
  ['from=2024-12-20T00:00:00Z&to=2025-01-03T05:00:00Z&not_provider=openai', true],
];

describe('distinct accounts in a range', () => {
  const db = useTestDatabase();

  beforeAll(async () => {
    for (const [i, rows] of BATCHES.entries()) {
      const result = await ingestRows(db().pool, `sparse-${i}.csv`, rows);
      expect(result.status).toBe('complete');
    }
  });

  it('spans more than one bitmap chunk of ordinals', async () => {
    const { rows } = await db().pool.query(
      'SELECT (SELECT max(ordinal) FROM accounts) AS max, (SELECT count(DISTINCT chunk) FROM account_presence_daily) AS chunks');
    expect(rows[0].max).toBeGreaterThan(8192);
    expect(Number(rows[0].chunks)).toBe(2);
  });

  it.each(CASES)('counts exactly for %s', async (query, fromBitmaps) => {
    const filters = parseFilters(new URLSearchParams(query));
    expect(presenceAnswers(filters)).toBe(fromBitmaps);
    const expected = naive(filters);
    expect(expected).toBeGreaterThan(0);
    expect(await countActiveAccounts(db().prisma, filters, await storedExtent(db().prisma))).toBe(expected);
  });

  it('counts nothing in a range without decisions', async () => {
    expect(await countActiveAccounts(db().prisma, parseFilters(new URLSearchParams('from=2024-01-01&to=2024-06-01')), await storedExtent(db().prisma))).toBe(0);
    expect(await countActiveAccounts(db().prisma, parseFilters(new URLSearchParams('from=2025-01-01&to=2025-03-02&region=RU')), await storedExtent(db().prisma))).toBe(0);
  });

  it('rebuilds the bitmaps, identical, for a database that had decisions before they existed', async () => {
    const digest = async () => (await db().pool.query(`
      SELECT count(*)::int AS n, md5(string_agg(concat_ws('|', bucket, caller_region, provider, channel, decision, chunk, bits::text), ','
             ORDER BY bucket, caller_region, provider, channel, decision, chunk)) AS md5
        FROM account_presence_daily`)).rows[0];
    const written = await digest();
    expect(written.n).toBeGreaterThan(1000);
    await db().pool.query('TRUNCATE account_presence_daily');
    await migrate(db().pool);
    expect(await digest()).toEqual(written);
  });

  // Last: it numbers the accounts anew.
  it('counts a range of hours exactly once the accounts are numbered anew, forgetting the edge accounts\' old numbers', async () => {
    const filters = parseFilters(new URLSearchParams('from=2025-01-05T10:17:00Z&to=2025-01-06T09:43:10Z'));
    const count = async () => countActiveAccounts(db().prisma, filters, await storedExtent(db().prisma));
    // The edge accounts' ordinals are looked up, and kept.
    expect(await count()).toBe(naive(filters));
    // The same accounts in another table, numbered the other way round, and the hourly
    // vectors filled again under the new numbers.
    const client = await db().pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('CREATE TEMP TABLE old_accounts ON COMMIT DROP AS SELECT * FROM accounts');
      await client.query('TRUNCATE accounts, account_hourly_vectors');
      await client.query(`INSERT INTO accounts (ordinal, id, name, name_seen_at, first_seen, last_seen)
        SELECT row_number() OVER (ORDER BY ordinal DESC), id, name, name_seen_at, first_seen, last_seen FROM old_accounts`);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await migrate(db().pool);
    expect(await count()).toBe(naive(filters));
  });
});
