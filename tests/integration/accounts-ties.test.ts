import { beforeAll, describe, expect, it } from 'vitest';

import { listAccounts } from '@/lib/analytics/accounts';
import { countActiveAccounts } from '@/lib/analytics/active-accounts';
import { storedExtent } from '@/lib/analytics/data-extent';
import { parseFilters } from '@/lib/analytics/filters';
import type { DecisionRow } from '@/lib/ingest/validate';

import { ingestRows, matchesFilters } from '../helpers/decision-rows';
import { useTestDatabase } from '../helpers/test-database';

// Thousands of accounts tied at the page's threshold (each has one decision on a whole day
// and perhaps one on an edge day, inside or outside the range): the bounds cannot rule
// them out, so the list keeps only the tied ones whose id can still rank (accounts.ts) and
// reads the edge days of many with one scan instead of a probe each. The
// pages must still be exactly the naive ranking's, ties broken by account id. Likewise the
// count of active accounts when thousands are seen on an edge day alone.

const ACCOUNTS = 3300;
const DAY = 86_400_000;
const WHOLE = Date.parse('2024-03-10T12:00:00Z');
const EDGE = Date.parse('2024-03-05T00:00:00Z'); // the ranges below start at 06:30 or 05:00 on this day

function rows(): DecisionRow[] {
  const out: DecisionRow[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const accountId = `tie-${String((i * 7919) % ACCOUNTS).padStart(5, '0')}`;
    const base = { accountId, callerRegion: 'US', provider: 'openai', channel: 'direct' } as const;
    out.push({ ...base, requestId: `w${i}`, occurredAt: new Date(WHOLE + (i % 1000) * 1000).toISOString(), decision: i % 3 === 0 ? 'blocked' : 'allowed' });
    // Two thirds have an edge-day decision in the range's first, partial hour: before its
    // start at 06:30 (out) or after it (in).
    if (i % 3 !== 2) out.push({ ...base, requestId: `e${i}`, occurredAt: new Date(EDGE + (i % 2 === 0 ? 370 : 410) * 60_000).toISOString(), decision: 'allowed' });
  }
  return out;
}

describe('accounts list with thousands of tied accounts', () => {
  const db = useTestDatabase();
  const all = rows();

  beforeAll(async () => {
    await ingestRows(db().pool, 'ties.csv', all);
  });

  it.each([
    ['total', true], ['total', false], ['blocked', true], ['allowed', false],
  ] as const)('pages sorted by %s (descending: %s) are the naive ranking', async (column, desc) => {
    // With a partial edge hour (bounds, not counts, for two thirds of the accounts: so many
    // of the tied are not exact that their ties are mostly read from every account), with
    // the edge day's whole hours alone (the hourly vectors count them exactly, and the
    // ties are walked in id order), and with whole days only (every key exact: the page is
    // the ties' first ids alone).
    for (const range of [
      `from=2024-03-05T06:30:00Z&to=${new Date(WHOLE + 5 * DAY).toISOString()}`,
      `from=2024-03-05T05:00:00Z&to=${new Date(WHOLE + 5 * DAY).toISOString()}`,
      'from=2024-03-06T00:00:00Z&to=2024-03-14T00:00:00Z',
    ]) {
      await expectNaivePages(parseFilters(new URLSearchParams(range)), column, desc);
    }
  });

  async function expectNaivePages(f: ReturnType<typeof parseFilters>, column: 'total' | 'blocked' | 'allowed', desc: boolean) {
    const counts = new Map<string, { allowed: number; blocked: number }>();
    for (const r of all.filter((x) => matchesFilters(x, f))) {
      const c = counts.get(r.accountId) ?? { allowed: 0, blocked: 0 };
      c[r.decision] += 1;
      counts.set(r.accountId, c);
    }
    const key = (c: { allowed: number; blocked: number }) => (column === 'total' ? c.allowed + c.blocked : c[column]);
    const expected = [...counts].sort(([a, x], [b, y]) => (desc ? key(y) - key(x) : key(x) - key(y)) || (a < b ? -1 : 1));
    // Page 20 needs a thousand accounts ranked, nearly all the exact ties there are.
    for (const page of [1, 2, 20]) {
      const got = await listAccounts(db().prisma, f, { column, desc, page, pageSize: 50 });
      expect(got.total).toBe(counts.size);
      expect(got.rows.map((r) => [r.id, r.allowed, r.blocked]))
        .toEqual(expected.slice((page - 1) * 50, page * 50).map(([id, c]) => [id, c.allowed, c.blocked]));
    }
  }

  it.each([
    // Whole days without decisions: 2,200 accounts seen on the edge day alone, in and out of range.
    'from=2024-03-05T06:30:00Z&to=2024-03-08T00:00:00Z',
    // Every account on a whole day: the edge day's accounts are all known already.
    'from=2024-03-05T06:30:00Z&to=2024-03-12T00:00:00Z',
  ])('counts the active accounts of %s as the naive model does', async (query) => {
    const f = parseFilters(new URLSearchParams(query));
    const expected = new Set(all.filter((x) => matchesFilters(x, f)).map((x) => x.accountId)).size;
    expect(expected).toBeGreaterThan(1000);
    expect(await countActiveAccounts(db().prisma, f, await storedExtent(db().prisma))).toBe(expected);
  });
});
