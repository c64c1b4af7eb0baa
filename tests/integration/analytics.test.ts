import { beforeAll, describe, expect, it } from 'vitest';

import { listAccounts } from '@/lib/analytics/accounts';
import { accountBreakdown, accountTimeline } from '@/lib/analytics/account';
import { breakdown } from '@/lib/analytics/breakdown';
import { decisionsByRequestId, decisionsPage } from '@/lib/analytics/decisions';
import { parseFilters, type Filters, type GroupBy } from '@/lib/analytics/filters';
import { storedExtent, widenedTo } from '@/lib/analytics/data-extent';
import { summary } from '@/lib/analytics/summary';
import { timeSeries } from '@/lib/analytics/time-series';
import { migrate } from '@/lib/db/migrate';
import { seededRandom } from '@/lib/demo/random';
import type { DecisionRow } from '@/lib/ingest/validate';

import { ingestRows, matchesFilters } from '../helpers/decision-rows';
import { localBucketKey, localParts } from '../helpers/local-buckets';
import { useTestDatabase } from '../helpers/test-database';

// Generated decisions with known answers: every query is checked against a naive
// computation over the same rows in JavaScript.

const START = Date.parse('2024-06-20T00:00:00Z');
const SPAN = 40 * 86_400_000;
const REGIONS = ['CN', 'US', 'DE', 'IN', 'HK'];
const ROUTES = [['openai', 'direct'], ['azure-openai', 'azure-china-21vianet'], ['azure-openai', 'azure-global'], ['anthropic', 'direct']] as const;
const REASONS = [undefined, 'unsupported_region', 'kyc_missing'];
const MODELS = [undefined, 'gpt-4o', 'claude-3'];

function makeRows(count: number): DecisionRow[] {
  const random = seededRandom(99);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const rows: DecisionRow[] = [];
  for (let i = 0; i < count; i += 1) {
    const [provider, channel] = pick(ROUTES);
    // Some rows sit exactly on hour and day boundaries, in UTC and in Asia/Shanghai (16:00Z).
    const edge = i % 50 === 0 ? Math.floor(random() * 40) * 86_400_000 + 16 * 3_600_000 - (i % 100 === 0 ? 1 : 0) : Math.floor(random() * SPAN);
    const blocked = random() < 0.3;
    rows.push({
      occurredAt: new Date(START + edge).toISOString().replace('Z', `${String(i % 7).padStart(3, '0')}Z`).replace(/\.(\d{3})(\d{3})Z$/, '.$1$2Z'),
      requestId: `q-${i}`,
      accountId: `acct-${i % 37}`,
      accountName: i % 37 === 3 ? `Name ${i}` : undefined,
      callerRegion: pick(REGIONS),
      servingRegion: undefined,
      provider,
      channel,
      decision: blocked ? 'blocked' : 'allowed',
      reason: blocked ? pick(REASONS.slice(1)) : pick(REASONS),
      policyVersion: undefined,
      model: pick(MODELS),
    });
  }
  return rows;
}

const ROWS = makeRows(6000);
const ms = (r: DecisionRow) => Date.parse(r.occurredAt);

const NOW = new Date(START + SPAN + 86_400_000);
const FILTER_CASES = [
  'from=2024-06-20T00:00:00Z&to=2024-07-31T00:00:00Z',
  'from=2024-06-23T05:17:31.250Z&to=2024-07-19T22:03:00Z',
  'from=2024-07-01T10:30:00Z&to=2024-07-01T11:15:00Z',
  'from=2024-07-02T03:00:00Z&to=2024-07-03T21:00:00Z&region=CN,HK&not_channel=azure-global',
  'from=2024-06-25T00:00:00Z&to=2024-07-25T12:34:56Z&provider=azure-openai&decision=blocked',
  'from=2024-06-21T07:00:00+08:00&to=2024-07-10T00:00:00+08:00&not_region=US&not_decision=allowed',
  'from=2024-06-22T13:00:00Z&to=2024-07-28T02:00:00Z&not_region=CN',
  'from=2024-06-20T00:00:00Z&to=2024-07-15T00:00:00Z&channel=direct,azure-global&decision=allowed',
  'from=2024-06-24T00:00:00Z&to=2024-07-20T06:00:00Z&region=CN&provider=azure-openai',
  // Starting before the first stored decision and ending after the last, both mid-day: the
  // edges are counted as whole days (data-extent.ts); and ranges without a whole day that
  // end after the last decision (widened to whole hours), one of them mid-hour at both ends
  // (its previous period too: the hourly vectors and partial hours' raw rows).
  'from=2024-06-19T09:00:00Z&to=2024-07-30T15:30:00Z&region=CN,US',
  'from=2024-07-29T20:00:00Z&to=2024-07-30T19:00:00Z',
  'from=2024-07-29T20:17:00Z&to=2024-07-30T19:41:00Z',
  'from=2024-07-29T20:17:00Z&to=2024-07-30T19:41:00Z&decision=blocked',
];

describe('analytics queries agree with a naive count over the same rows', () => {
  const db = useTestDatabase();

  beforeAll(async () => {
    // Two overlapping batches: the second repeats some rows (duplicates must not count twice).
    const send = async (rows: DecisionRow[], name: string) => {
      const result = await ingestRows(db().pool, name, rows);
      expect(result.status).toBe('complete');
    };
    await send(ROWS.slice(0, 4000), 'a.csv');
    await send(ROWS.slice(3000), 'b.csv');
  });

  it('widens only the ends of a range where no stored decision lies beyond them', async () => {
    const widen = async (query: string) => widenedTo(parseFilters(new URLSearchParams(query), NOW), await storedExtent(db().prisma));
    // Before the first decision and after the last: to the ends' midnights.
    expect(await widen('from=2024-06-19T09:00:00Z&to=2024-07-30T15:30:00Z')).toMatchObject({
      from: new Date('2024-06-19T00:00:00Z'), to: new Date('2024-07-31T00:00:00Z'),
    });
    // Decisions before and after both ends: unchanged.
    const inside = 'from=2024-06-23T05:17:31.250Z&to=2024-07-19T22:03:00Z';
    expect(await widen(inside)).toMatchObject({ from: new Date('2024-06-23T05:17:31.250Z'), to: new Date('2024-07-19T22:03:00Z') });
    // No whole day: to whole hours only, where it ends after the last decision.
    expect(await widen('from=2024-07-29T20:10:00Z&to=2024-07-30T19:25:00Z')).toMatchObject({
      from: new Date('2024-07-29T20:10:00Z'), to: new Date('2024-07-30T20:00:00Z'),
    });
    expect(await widen('from=2024-06-19T09:10:00Z&to=2024-06-20T06:00:00Z')).toMatchObject({
      from: new Date('2024-06-19T09:00:00Z'), to: new Date('2024-06-20T06:00:00Z'),
    });
  });

  it.each(FILTER_CASES)('summary and breakdowns for %s', async (query) => {
    const filters = parseFilters(new URLSearchParams(query), NOW);
    const expected = ROWS.filter((r) => matchesFilters(r, filters));
    const s = await summary(db().prisma, filters);
    expect(s.current).toMatchObject({
      decisions: expected.length,
      allowed: expected.filter((r) => r.decision === 'allowed').length,
      blocked: expected.filter((r) => r.decision === 'blocked').length,
      accounts: new Set(expected.map((r) => r.accountId)).size,
      regions: new Set(expected.map((r) => r.callerRegion)).size,
    });
    const length = filters.to.getTime() - filters.from.getTime();
    const previous = ROWS.filter((r) => matchesFilters(r, { ...filters, from: new Date(filters.from.getTime() - length), to: filters.from }));
    expect(s.previous.decisions).toBe(previous.length);
    expect(s.previous.accounts).toBe(new Set(previous.map((r) => r.accountId)).size);

    const key: Record<GroupBy, (r: DecisionRow) => string> = {
      region: (r) => r.callerRegion, provider: (r) => r.provider, channel: (r) => r.channel,
      reason: (r) => r.reason ?? '(none)', model: (r) => r.model ?? '(none)',
    };
    for (const [by, by2] of [['region'], ['reason'], ['model'], ['region', 'channel'], ['provider', 'reason']] as [GroupBy, GroupBy?][]) {
      const rows = await breakdown(db().prisma, filters, by, by2);
      const naive = new Map<string, { allowed: number; blocked: number }>();
      for (const r of expected) {
        const k = by2 ? `${key[by](r)}|${key[by2](r)}` : key[by](r);
        const c = naive.get(k) ?? { allowed: 0, blocked: 0 };
        c[r.decision] += 1;
        naive.set(k, c);
      }
      expect(new Map(rows.map((r) => [by2 ? `${r.key}|${r.key2}` : r.key, { allowed: r.allowed, blocked: r.blocked }]))).toEqual(naive);
      expect(rows.reduce((sum, r) => sum + r.total, 0)).toBe(expected.length);
    }
  });

  it.each(([
    ['UTC', 'day'], ['UTC', 'hour'], ['UTC', 'week'], ['Asia/Shanghai', 'day'], ['America/New_York', 'week'], ['Asia/Kolkata', 'day'],
    ['Asia/Kolkata', 'hour'], ['Asia/Kathmandu', 'week'], ['Australia/Adelaide', 'day'], ['America/St_Johns', 'day'],
    // Hour buckets that straddle two UTC hours, from the quarter hour counts: with filters
    // on every dimension those keep, and over a range shorter than an hour.
    ['Asia/Kathmandu', 'hour'], ['America/St_Johns', 'hour'], ['Asia/Kolkata', 'hour', '&region=CN&not_provider=openai'],
    ['Australia/Adelaide', 'hour', '&decision=blocked&not_channel=direct'], ['Asia/Kolkata', 'hour', '', 'from=2024-07-01T10:50:00Z&to=2024-07-01T11:40:00Z'],
  ] as Array<[string, 'hour' | 'day' | 'week', string?, string?]>).map(([tz, bucket, extra = '', span = 'from=2024-06-22T13:45:00Z&to=2024-07-18T02:10:00Z']) => [tz, bucket, extra, span] as const))('time series in %s per %s %s %s', async (tz, bucket, extra, span) => {
    const filters = parseFilters(new URLSearchParams(`${span}&tz=${tz}${extra}`), NOW);
    const expected = ROWS.filter((r) => matchesFilters(r, filters));
    expect(expected.length).toBeGreaterThan(0);
    const series = await timeSeries(db().prisma, filters, bucket);
    const localKey = localBucketKey(tz, bucket);
    const naive = new Map<string, { allowed: number; blocked: number }>();
    for (const r of expected) {
      const c = naive.get(localKey(ms(r))) ?? { allowed: 0, blocked: 0 };
      c[r.decision] += 1;
      naive.set(localKey(ms(r)), c);
    }
    const got = new Map(series.map((p) => [localKey(Date.parse(p.bucket)), { allowed: p.allowed, blocked: p.blocked }]));
    expect(got).toEqual(naive);
    // Every bucket starts at a local bucket boundary.
    for (const p of series) if (bucket !== 'hour') expect(localParts(tz, Date.parse(p.bucket)).hour).toBe('00');
  });

  it('fills the quarter hour counts, as ingestion left them, when migrating a database that has decisions but none', async () => {
    // By route, not ordinal: a fill numbers the routes in one pass, batches as they came.
    const digest = async () => (await db().pool.query(`
      WITH entries AS (
        SELECT v.hour, v.chunk * 8192 + get_byte(v.counts, e * 10) * 256 + get_byte(v.counts, e * 10 + 1) AS entry,
               encode(substring(v.counts FROM e * 10 + 3 FOR 8), 'hex') AS counts
          FROM region_route_quarter_vectors v CROSS JOIN LATERAL generate_series(0, length(v.counts) / 10 - 1) e
      )
      SELECT count(*)::int AS n, md5(string_agg(concat_ws('|', hour, caller_region, provider, channel, entry % 4, counts), ','
             ORDER BY hour, caller_region, provider, channel, entry % 4)) AS md5
        FROM entries e JOIN region_routes r ON r.ordinal = e.entry / 4`)).rows[0];
    const f = parseFilters(new URLSearchParams('from=2024-06-22T13:45:00Z&to=2024-07-18T02:10:00Z&tz=Asia/Kolkata'), NOW);
    const [ingested, before] = [await digest(), await timeSeries(db().prisma, f, 'hour')];
    expect(ingested.n).toBeGreaterThan(1000);
    for (const tables of ['region_routes, region_route_quarter_vectors', 'region_route_quarter_vectors', 'region_routes']) {
      await db().pool.query(`TRUNCATE ${tables} RESTART IDENTITY`);
      expect(await migrate(db().pool)).toEqual([]);
      expect(await digest()).toEqual(ingested);
      expect(await timeSeries(db().prisma, f, 'hour')).toEqual(before);
    }
    // Emptied without resetting its sequence, the catalogue is numbered from 1 again.
    await db().pool.query('DELETE FROM region_routes');
    expect(await migrate(db().pool)).toEqual([]);
    expect(await digest()).toEqual(ingested);
    const { rows: [numbered] } = await db().pool.query<{ lo: number; hi: number; n: number }>(
      'SELECT min(ordinal)::int AS lo, max(ordinal)::int AS hi, count(*)::int AS n FROM region_routes');
    expect(numbered).toEqual({ lo: 1, hi: numbered!.n, n: numbered!.n });
  });

  it('lists accounts with exact totals, searched, sorted and paginated', async () => {
    const filters = parseFilters(new URLSearchParams('from=2024-06-23T05:17:31Z&to=2024-07-19T22:03:00Z&region=CN'), NOW);
    const expected = new Map<string, { allowed: number; blocked: number }>();
    for (const r of ROWS.filter((x) => matchesFilters(x, filters))) {
      const c = expected.get(r.accountId) ?? { allowed: 0, blocked: 0 };
      c[r.decision] += 1;
      expected.set(r.accountId, c);
    }
    const all = await listAccounts(db().prisma, filters, { column: 'blocked', desc: true, page: 1, pageSize: 500 });
    expect(all.total).toBe(expected.size);
    expect(new Map(all.rows.map((r) => [r.id, { allowed: r.allowed, blocked: r.blocked }]))).toEqual(expected);
    expect(all.rows.map((r) => r.blocked)).toEqual([...all.rows.map((r) => r.blocked)].sort((a, b) => b - a));
    expect(all.rows.every((r) => r.regions.length === 1 && r.regions[0] === 'CN')).toBe(true);

    const page2 = await listAccounts(db().prisma, filters, { column: 'id', desc: false, page: 2, pageSize: 10 });
    expect(page2.rows.map((r) => r.id)).toEqual([...expected.keys()].sort().slice(10, 20));
    const searched = await listAccounts(db().prisma, filters, { search: 'acct-3', column: 'id', desc: false, page: 1, pageSize: 50 });
    expect(searched.rows.map((r) => r.id)).toEqual([...expected.keys()].filter((k) => k.includes('acct-3')).sort());
    const byName = await listAccounts(db().prisma, filters, { search: 'name ', column: 'id', desc: false, page: 1, pageSize: 50 });
    expect(byName.rows.map((r) => r.id)).toEqual(['acct-3']);
  });

  it('gives one account its per-channel timeline and breakdown', async () => {
    const filters = parseFilters(new URLSearchParams('from=2024-06-20T00:00:00Z&to=2024-07-31T00:00:00Z'), NOW);
    const mine = ROWS.filter((r) => r.accountId === 'acct-5' && matchesFilters(r, filters));
    const timeline = await accountTimeline(db().prisma, 'acct-5', filters, 'day');
    expect(timeline.reduce((s, p) => s + p.allowed + p.blocked, 0)).toBe(mine.length);
    expect(new Set(timeline.map((p) => p.channel))).toEqual(new Set(mine.map((r) => r.channel)));
    const hourly = await accountTimeline(db().prisma, 'acct-5', filters, 'hour');
    expect(hourly.reduce((s, p) => s + p.allowed + p.blocked, 0)).toBe(mine.length);
    const split = await accountBreakdown(db().prisma, 'acct-5', filters);
    expect(split.reduce((s, r) => s + r.total, 0)).toBe(mine.length);
  });

  it.each([
    ['UTC', 'day'], ['Asia/Shanghai', 'day'], ['America/New_York', 'week'], ['Asia/Kolkata', 'day'], ['America/Santiago', 'day'],
    ['Pacific/Kiritimati', 'day'], ['Asia/Shanghai', 'hour'],
  ] as const)("counts one account's timeline per channel as the naive model does in %s per %s", async (tz, bucket) => {
    const filters = parseFilters(new URLSearchParams(`from=2024-06-21T07:40:00Z&to=2024-07-29T13:05:00Z&tz=${tz}&not_region=US`), NOW);
    const mine = ROWS.filter((r) => r.accountId === 'acct-5' && matchesFilters(r, filters));
    const localKey = localBucketKey(tz, bucket);
    const naive = new Map<string, { allowed: number; blocked: number }>();
    for (const r of mine) {
      const k = `${localKey(ms(r))}|${r.provider}|${r.channel}`;
      const c = naive.get(k) ?? { allowed: 0, blocked: 0 };
      c[r.decision] += 1;
      naive.set(k, c);
    }
    expect(mine.length).toBeGreaterThan(50);
    const timeline = await accountTimeline(db().prisma, 'acct-5', filters, bucket);
    expect(new Map(timeline.map((p) => [`${localKey(Date.parse(p.bucket))}|${p.provider}|${p.channel}`, { allowed: p.allowed, blocked: p.blocked }]))).toEqual(naive);
  });

  it('pages through the decision log newest first with a keyset cursor, missing and repeating nothing', async () => {
    const filters = parseFilters(new URLSearchParams('from=2024-06-23T05:17:31Z&to=2024-07-19T22:03:00Z&not_region=US'), NOW);
    const expected = ROWS.filter((r) => matchesFilters(r, filters));
    const seen: string[] = [];
    let cursor: string | null = null;
    let previous = Infinity;
    do {
      const page = await decisionsPage(db().prisma, filters, { cursor, limit: 333 });
      for (const r of page.rows) {
        expect(Date.parse(r.occurredAt)).toBeLessThanOrEqual(previous);
        previous = Date.parse(r.occurredAt);
        seen.push(r.requestId);
      }
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.length).toBe(expected.length);
    expect(new Set(seen)).toEqual(new Set(expected.map((r) => r.requestId)));
    const one = ROWS[1234]!;
    const found = await decisionsByRequestId(db().prisma, one.requestId);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ requestId: one.requestId, occurredAt: one.occurredAt.replace(/(\.\d{3})Z$/, '$1000Z'), provider: one.provider });
  });
});
