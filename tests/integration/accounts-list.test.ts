import { beforeAll, describe, expect, it } from 'vitest';

import { ACCOUNT_SORTS, type AccountListRow, type AccountSort, listAccounts } from '@/lib/analytics/accounts';
import { parseFilters, type Filters } from '@/lib/analytics/filters';
import { migrate } from '@/lib/db/migrate';
import { seededRandom } from '@/lib/demo/random';
import type { DecisionRow } from '@/lib/ingest/validate';

import { ingestRows, matchesFilters, randomDecision } from '../helpers/decision-rows';
import { useTestDatabase } from '../helpers/test-database';

// The accounts list (running vectors or running monthly totals, bounds, exact counts only
// where a rank could depend on them) against a naive list over the same rows, for every sort, both
// directions, several pages, ranges with and without partial edge days and across month
// boundaries, and filters. Some accounts act only on the edge days of the ranges, inside
// or outside the range, to test those that are not surely in it.

const DAY = 86_400_000;
const START = Date.parse('2024-05-25T00:00:00Z');
const DAYS = 60;
const REGIONS = ['CN', 'US', 'HK'];
const pad = (n: number) => String(n).padStart(4, '0');

function row(random: () => number, i: number, batch: number, accountId: string, at: number, accountName?: string): DecisionRow {
  return randomDecision(random, REGIONS, { requestId: `b${batch}-${i}`, accountId, accountName, at });
}

function makeBatch(batch: number, count: number): DecisionRow[] {
  const random = seededRandom(batch * 7 + 1);
  const rows: DecisionRow[] = [];
  for (let i = 0; i < count; i++) {
    // Squared: a few busy accounts and a long tail; every fifth has a name.
    const a = Math.floor(random() ** 2 * 400);
    rows.push(row(random, i, batch, `acct-${pad(a)}`, START + Math.floor(random() * DAYS * DAY), a % 5 === 0 ? `Org ${pad(a)}` : undefined));
  }
  // Accounts that act on a few hours of one day only: 2024-06-03 and 2024-07-19, the edge
  // days of the ranges below, before and after their cut.
  for (let j = 0; j < 40; j++) {
    const day = j % 2 === 0 ? Date.parse('2024-06-03T00:00:00Z') : Date.parse('2024-07-19T00:00:00Z');
    const at = day + Math.floor(random() * DAY);
    for (let n = 0; n <= j % 4; n++) rows.push(row(random, count + j * 4 + n, batch, `edge-${pad(j)}`, at + n * 1000));
  }
  return rows;
}

const BATCHES = [makeBatch(1, 5000), makeBatch(2, 3000)];
const ROWS = BATCHES.flat();

/** The whole list as the page should show it, computed from the rows themselves. */
function naiveList(f: Filters, column: AccountSort, desc: boolean, search?: string): AccountListRow[] {
  const byAccount = new Map<string, { allowed: number; blocked: number; regions: Set<string>; channels: Set<string> }>();
  for (const r of ROWS.filter((x) => matchesFilters(x, f))) {
    const a = byAccount.get(r.accountId) ?? { allowed: 0, blocked: 0, regions: new Set(), channels: new Set() };
    a[r.decision] += 1;
    a.regions.add(r.callerRegion);
    a.channels.add(r.channel);
    byAccount.set(r.accountId, a);
  }
  const mine = (id: string) => ROWS.filter((r) => r.accountId === id).sort((x, y) => Date.parse(x.occurredAt) - Date.parse(y.occurredAt));
  const list = [...byAccount].map(([id, a]): AccountListRow => {
    const all = mine(id);
    const named = all.filter((r) => r.accountName !== undefined);
    return {
      id, name: named.at(-1)?.accountName ?? null, allowed: a.allowed, blocked: a.blocked, total: a.allowed + a.blocked,
      blockRate: a.blocked / (a.allowed + a.blocked), regions: [...a.regions].sort(), channels: [...a.channels].sort(),
      firstSeen: all[0]!.occurredAt, lastSeen: all.at(-1)!.occurredAt,
    };
  }).filter((r) => !search || r.id.toLowerCase().includes(search.toLowerCase()) || (r.name ?? '').toLowerCase().includes(search.toLowerCase()));
  const key = (r: AccountListRow): number | string => {
    switch (column) {
      case 'name': return r.name ?? '';
      case 'id': return r.id;
      case 'firstSeen': return r.firstSeen;
      case 'lastSeen': return r.lastSeen;
      case 'blockRate': return r.blockRate!;
      default: return r[column];
    }
  };
  return list.sort((x, y) => {
    const a = key(x);
    const b = key(y);
    if (a !== b) return (a < b ? -1 : 1) * (desc ? -1 : 1);
    return x.id < y.id ? -1 : 1;
  });
}

const RANGES = [
  // Partial edge days on 2024-06-03 and 2024-07-19, five months touched... three, with two month ends inside.
  'from=2024-06-03T05:17:31Z&to=2024-07-19T12:03:00Z',
  // Whole days only, starting on a month's first day.
  'from=2024-06-01&to=2024-07-01',
  // No whole day, whole hours: the hourly vectors alone, or (filtered) raw rows alone.
  'from=2024-06-03T02:00:00Z&to=2024-06-04T01:00:00Z',
  // No whole day, partial hours at both ends: the last 24 hours as the presets ask.
  'from=2024-06-03T02:41:07Z&to=2024-06-04T01:12:00Z',
  // An edge day that is a month's last day.
  'from=2024-05-31T20:00:00Z&to=2024-06-20T06:00:00Z',
  // Mid-day ends before the first stored decision and after the last: counted as whole days.
  'from=2024-05-24T11:00:00Z&to=2024-07-24T09:30:00Z',
  // No whole day, ending mid-hour after the last decision: widened to the next whole hour.
  'from=2024-07-23T08:41:00Z&to=2024-07-24T07:29:00Z',
];
// Through the vectors of every route (no filter, or the decision's alone), of one
// dimension's values (provider, region, channel; included, excluded from every route's, or
// both), and through the running rows (filters on two dimensions).
const FILTERS = [
  '', '&decision=blocked', '&not_decision=blocked&provider=azure-openai', '&not_region=HK', '&region=US,HK',
  '&channel=direct,azure-global&not_channel=direct',
  '&not_region=HK&provider=openai,azure-openai', '&region=CN,HK&not_channel=azure-global',
];

describe('the accounts list', () => {
  const db = useTestDatabase();

  beforeAll(async () => {
    for (const [i, rows] of BATCHES.entries()) {
      const result = await ingestRows(db().pool, `accounts-${i}.csv`, rows);
      expect(result.status).toBe('complete');
    }
  });

  const cases = RANGES.flatMap((range) => FILTERS.map((filter) => range + filter));

  it.each(cases)('ranks every account exactly, by every sort, for %s', async (query) => {
    const filters = parseFilters(new URLSearchParams(query));
    for (const column of ACCOUNT_SORTS) {
      for (const desc of [true, false]) {
        const expected = naiveList(filters, column, desc);
        expect(expected.length).toBeGreaterThan(10);
        for (const page of [1, 3]) {
          const got = await listAccounts(db().prisma, filters, { column, desc, page, pageSize: 7 });
          expect({ column, desc, page, total: got.total, rows: got.rows }).toEqual({
            column, desc, page, total: expected.length, rows: expected.slice((page - 1) * 7, page * 7),
          });
        }
      }
    }
  });

  it('counts the accounts seen only on edge days, inside the range and not outside it', async () => {
    const filters = parseFilters(new URLSearchParams(RANGES[0]!));
    const edges = naiveList(filters, 'id', false).filter((r) => r.id.startsWith('edge-'));
    expect(edges.length).toBeGreaterThan(5);
    expect(edges.length).toBeLessThan(40);
    const got = await listAccounts(db().prisma, filters, { column: 'id', desc: false, search: 'edge-', page: 1, pageSize: 100 });
    expect(got.rows).toEqual(edges);
    expect(got.total).toBe(edges.length);
  });

  // A few hours with partial ends, within a day: few accounts, most of them only in
  // the partial hours, whose raw rows settle whether they are in range.
  it.each(['', '&decision=blocked', '&region=CN'])('ranks every account exactly over a few hours of one day, for %s', async (filter) => {
    const filters = parseFilters(new URLSearchParams(`from=2024-06-03T05:17:31Z&to=2024-06-03T09:48:00Z${filter}`));
    for (const column of ACCOUNT_SORTS) {
      for (const desc of [true, false]) {
        const expected = naiveList(filters, column, desc);
        expect(expected.length).toBeGreaterThan(3);
        const got = await listAccounts(db().prisma, filters, { column, desc, page: 1, pageSize: 4 });
        expect({ column, desc, total: got.total, rows: got.rows }).toEqual({ column, desc, total: expected.length, rows: expected.slice(0, 4) });
      }
    }
  });

  it.each([RANGES[0]!, RANGES[2]!])('searches ids and names, and pages past the end keep the total, for %s', async (range) => {
    const filters = parseFilters(new URLSearchParams(range));
    const expected = naiveList(filters, 'blocked', true, 'org 00');
    expect(expected.length).toBeGreaterThan(3);
    const got = await listAccounts(db().prisma, filters, { column: 'blocked', desc: true, search: 'Org 00', page: 1, pageSize: 50 });
    expect(got.rows).toEqual(expected);
    const past = await listAccounts(db().prisma, filters, { column: 'blocked', desc: true, page: 1000, pageSize: 50 });
    expect(past).toEqual({ rows: [], total: naiveList(filters, 'blocked', true).length });
  });

  it('fills the running totals, as ingestion left them, when its migration runs on stored decisions', async () => {
    const digest = async () => (await db().pool.query(`
      SELECT count(*)::int AS n, md5(string_agg(concat_ws('|', month, account_id, caller_region, provider, channel, allowed::text, blocked::text), ','
             ORDER BY month, account_id, caller_region, provider, channel)) AS md5
        FROM account_running_monthly`)).rows[0];
    const ingested = await digest();
    expect(ingested.n).toBeGreaterThan(500);
    await db().pool.query(`DROP TABLE account_running_monthly`);
    await db().pool.query(`DELETE FROM _prisma_migrations WHERE migration_name = '20261126020000_account_running_monthly'`);
    expect(await migrate(db().pool)).toEqual(['20261126020000_account_running_monthly']);
    expect(await digest()).toEqual(ingested);
  });

  it('fills the running vectors, as ingestion left them, when migrating a database that has decisions but none', async () => {
    const digest = async () => (await db().pool.query(`
      SELECT count(*)::int AS n, md5(string_agg(concat_ws('|', day, caller_region, provider, channel, chunk, md5(counts)), ',' ORDER BY day, caller_region, provider, channel, chunk)) AS md5
        FROM account_running_vectors`)).rows[0];
    const ingested = await digest();
    expect(ingested.n).toBeGreaterThan(50);
    await db().pool.query(`DELETE FROM account_running_vectors`);
    expect(await migrate(db().pool)).toEqual([]);
    expect(await digest()).toEqual(ingested);
  });

  it('fills the hourly vectors, as ingestion left them, when migrating a database that has decisions but none', async () => {
    const digest = async () => (await db().pool.query(`
      SELECT count(*)::int AS n, md5(string_agg(concat_ws('|', hour, chunk, md5(counts)), ',' ORDER BY hour, chunk)) AS md5
        FROM account_hourly_vectors`)).rows[0];
    const ingested = await digest();
    expect(ingested.n).toBeGreaterThan(1000);
    await db().pool.query(`DELETE FROM account_hourly_vectors`);
    expect(await migrate(db().pool)).toEqual([]);
    expect(await digest()).toEqual(ingested);
  });

  it('lists nothing for a range without decisions', async () => {
    const none = await listAccounts(db().prisma, parseFilters(new URLSearchParams('from=2023-01-01&to=2023-03-01')), { column: 'total', desc: true, page: 1, pageSize: 10 });
    expect(none).toEqual({ rows: [], total: 0 });
  });
});
