import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';

import { divergence } from '@/lib/analytics/divergence';
import { parseFilters, type Filters } from '@/lib/analytics/filters';
import { violationAccounts } from '@/lib/analytics/violation-accounts';
import { violationList, violationSeries, violationSummary } from '@/lib/analytics/violations';
import { verifyAuditChain } from '@/lib/audit/verify';
import { streamCsv } from '@/lib/export/stream';
import { EXPORT_VIEWS } from '@/lib/export/views';
import { migrate } from '@/lib/db/migrate';
import { routeKey, routeMap } from '@/lib/rollups/account-route-vectors';
import { fillViolationsFromDecisions } from '@/lib/rollups/decision-violations';
import { addPolicy, closePolicy, importPolicies, PolicyChangeError, supersedePolicy } from '@/lib/policy/catalogue';
import type { DecisionRow } from '@/lib/ingest/validate';

import { ingestRows, matchesFilters } from '../helpers/decision-rows';
import { localBucketKey, localParts } from '../helpers/local-buckets';
import { useTestDatabase } from '../helpers/test-database';
import { dayAndHourRowsSql, decodedEntriesSql, hourRowsSql, quarterEntriesFromSql } from '../helpers/vector-entries';

// The catalogue's effective dating, the violations it implies and channel divergence,
// each checked against a naive model computed here from the generated rows.

const ADMIN = { kind: 'system', label: 'compliance test' } as const;
const T0 = Date.parse('2024-07-01T00:00:00Z');
const H = 3_600_000;
const BOUNDARY = new Date('2024-07-09T00:00:00Z');
const TIE = new Date('2024-07-12T10:00:00.123Z');
const ROUTES = [['openai', 'direct'], ['openai', 'reseller-acme'], ['azure-openai', 'azure-china-21vianet'], ['azure-openai', 'azure-global']] as const;
const REGIONS = ['CN', 'HK', 'US'] as const;

interface Version {
  provider: string;
  channel: string | null;
  region: string;
  status: 'supported' | 'unsupported' | 'restricted';
  from: number;
  to: number | null;
}

/** The naive rule: the decision's own channel's version, else the provider-wide one. */
function inForce(catalogue: Version[], r: DecisionRow): Version | undefined {
  const t = Date.parse(r.occurredAt);
  const holds = (v: Version) => v.provider === r.provider && v.region === r.callerRegion && v.from <= t && (v.to === null || t < v.to);
  return catalogue.find((v) => holds(v) && v.channel === r.channel) ?? catalogue.find((v) => holds(v) && v.channel === null);
}

const violates = (catalogue: Version[], r: DecisionRow) => {
  const status = inForce(catalogue, r)?.status;
  return (r.decision === 'allowed' && status === 'unsupported') || (r.decision === 'blocked' && status === 'supported');
};

function generate(): DecisionRow[] {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const rows: DecisionRow[] = [];
  for (let i = 0; i < 3000; i++) {
    const [provider, channel] = ROUTES[Math.floor(random() * ROUTES.length)]!;
    const account = `acct-${Math.floor(random() * 40)}`;
    // Accounts keep to one region, as callers do, with a few that travel.
    const region = random() < 0.1 ? REGIONS[Math.floor(random() * 3)]! : REGIONS[Number(account.slice(5)) % 3]!;
    rows.push({
      occurredAt: new Date(T0 + Math.floor(random() * 20 * 24 * H)).toISOString(),
      requestId: `r${i}`, accountId: account, callerRegion: region, provider, channel,
      decision: random() < 0.4 ? 'blocked' : 'allowed',
    });
  }
  // Exactly at the boundary, and a microsecond before it.
  rows.push({ occurredAt: BOUNDARY.toISOString(), requestId: 'edge-at', accountId: 'acct-0', callerRegion: 'CN', provider: 'openai', channel: 'direct', decision: 'allowed' });
  rows.push({ occurredAt: new Date(BOUNDARY.getTime() - 1).toISOString(), requestId: 'edge-before', accountId: 'acct-0', callerRegion: 'CN', provider: 'openai', channel: 'direct', decision: 'blocked' });
  // Macau: blocked on openai/direct at TIE, allowed at the same instant through 21Vianet
  // (counted) and on openai/direct itself before and after (never counted: no block elsewhere).
  const tie = (requestId: string, at: number, provider: string, channel: string, decision: 'allowed' | 'blocked'): DecisionRow =>
    ({ occurredAt: new Date(at).toISOString(), requestId, accountId: 'acct-tie', callerRegion: 'MO', provider, channel, decision });
  rows.push(tie('tie-block', TIE.getTime(), 'openai', 'direct', 'blocked'));
  rows.push(tie('tie-allow', TIE.getTime(), 'azure-openai', 'azure-china-21vianet', 'allowed'));
  rows.push(tie('tie-same-before', TIE.getTime() - H, 'openai', 'direct', 'allowed'));
  rows.push(tie('tie-same-after', TIE.getTime() + H, 'openai', 'direct', 'allowed'));
  // Singapore: a route whose only block in 07-05T06:30..07-12T06:30 is on that range's
  // partial last day, with another block earlier on its partial first day but before it
  // starts; allowed on another route before and after.
  const late = (requestId: string, at: string, provider: string, channel: string, decision: 'allowed' | 'blocked'): DecisionRow =>
    ({ occurredAt: new Date(at).toISOString(), requestId, accountId: 'acct-late', callerRegion: 'SG', provider, channel, decision });
  rows.push(late('late-allow', '2024-07-06T12:00:00Z', 'azure-openai', 'azure-global', 'allowed'));
  rows.push(late('late-block-before', '2024-07-05T03:00:00Z', 'openai', 'direct', 'blocked'));
  rows.push(late('late-block', '2024-07-12T05:00:00Z', 'openai', 'direct', 'blocked'));
  rows.push(late('late-allow-after', '2024-07-12T05:30:00Z', 'azure-openai', 'azure-global', 'allowed'));
  // Enough after it to rank first in that range: a bound that missed the partial last day would drop it.
  for (let i = 0; i < 200; i++) {
    rows.push(late(`late-burst-${i}`, new Date(Date.parse('2024-07-12T05:31:00Z') + i * 15_000).toISOString(), 'azure-openai', 'azure-global', 'allowed'));
  }
  // The last days of June, while CN was supported for openai: ranges that cross a month.
  for (let i = 0; i < 40; i++) {
    rows.push({
      occurredAt: new Date(T0 - (i + 1) * 97 * 60_000).toISOString(), requestId: `june-${i}`, accountId: `acct-${i % 5}`,
      callerRegion: 'CN', provider: 'openai', channel: i % 2 ? 'direct' : 'reseller-acme', decision: i % 3 ? 'blocked' : 'allowed',
    });
  }
  return rows;
}

describe('compliance intelligence', () => {
  const db = useTestDatabase();
  const rows = generate();
  const catalogue: Version[] = [];
  // The query's own from and to replace the default range (the first value of a parameter wins).
  const filters = (query = '') => {
    const params = new URLSearchParams(query);
    for (const [name, value] of [['from', '2024-07-01T00:00:00Z'], ['to', '2024-07-21T00:00:00Z']] as const) if (!params.has(name)) params.set(name, value);
    return parseFilters(params);
  };

  beforeAll(async () => {
    // Half the rows before the catalogue exists, half after: both paths derive violations.
    await ingestRows(db().pool, 'first.csv', rows.slice(0, 1500));
    const versions: Version[] = [
      { provider: 'openai', channel: null, region: 'CN', status: 'supported', from: T0 - 30 * 24 * H, to: BOUNDARY.getTime() },
      { provider: 'openai', channel: null, region: 'HK', status: 'unsupported', from: BOUNDARY.getTime(), to: null },
      { provider: 'azure-openai', channel: null, region: 'CN', status: 'unsupported', from: T0, to: null },
      { provider: 'azure-openai', channel: 'azure-china-21vianet', region: 'CN', status: 'supported', from: T0 + 3 * 24 * H, to: T0 + 15 * 24 * H },
      { provider: 'openai', channel: 'direct', region: 'US', status: 'restricted', from: T0, to: null },
    ];
    for (const v of versions) {
      await addPolicy(db().pool, ADMIN, { ...v, effectiveFrom: new Date(v.from), effectiveTo: v.to === null ? null : new Date(v.to) });
      catalogue.push(v);
    }
    // The July change: CN supported until the boundary, unsupported from it (a new version).
    const [cn] = await db().prisma.regionPolicy.findMany({ where: { provider: 'openai', region: 'CN' } });
    await closePolicy(db().pool, ADMIN, cn!.id, new Date(BOUNDARY.getTime() - 2 * 24 * H));
    catalogue[0]!.to = BOUNDARY.getTime() - 2 * 24 * H;
    await addPolicy(db().pool, ADMIN, { provider: 'openai', region: 'CN', status: 'supported', effectiveFrom: new Date(catalogue[0]!.to!), effectiveTo: null });
    const [open] = await db().prisma.regionPolicy.findMany({ where: { provider: 'openai', region: 'CN', effectiveTo: null } });
    await supersedePolicy(db().pool, ADMIN, open!.id, { at: BOUNDARY, status: 'unsupported', note: 'July 2024' });
    catalogue.push({ provider: 'openai', channel: null, region: 'CN', status: 'supported', from: catalogue[0]!.to, to: BOUNDARY.getTime() });
    catalogue.push({ provider: 'openai', channel: null, region: 'CN', status: 'unsupported', from: BOUNDARY.getTime(), to: null });
    await ingestRows(db().pool, 'second.csv', rows.slice(1500));
  });

  const expectedViolations = (f: Filters) => rows.filter((r) => matchesFilters(r, f) && violates(catalogue, r));

  it.each(['', 'region=CN', 'provider=azure-openai', 'channel=azure-china-21vianet', 'decision=allowed', 'not_region=HK',
    'from=2024-07-08T23:00:00Z&to=2024-07-09T01:00:00Z'])('counts violations as the naive model does with "%s"', async (query) => {
    const f = filters(query);
    const expected = expectedViolations(f);
    if (query === '') expect(expected.length).toBeGreaterThan(200);
    const { current } = await violationSummary(db().prisma, f);
    expect(current.allowedUnsupported).toBe(expected.filter((r) => r.decision === 'allowed').length);
    expect(current.blockedSupported).toBe(expected.filter((r) => r.decision === 'blocked').length);
    expect(current.accounts).toBe(new Set(expected.map((r) => r.accountId)).size);
    const list = await violationList(db().prisma, f, { page: 1, pageSize: 10_000 });
    expect(list.total).toBe(expected.length);
    expect(list.rows.map((r) => r.requestId).sort()).toEqual(expected.map((r) => r.requestId).sort());
    // Given the headline (as the API and the page pass it), the total is its count.
    expect((await violationList(db().prisma, f, { page: 2, pageSize: 5, summary: violationSummary(db().prisma, f) })).total).toBe(expected.length);
  });

  it('applies the version in force at the exact instant: a boundary belongs to the version that starts there', async () => {
    const list = await violationList(db().prisma, filters(), { page: 1, pageSize: 10_000 });
    const at = list.rows.find((r) => r.requestId === 'edge-at');
    const before = list.rows.find((r) => r.requestId === 'edge-before');
    expect(at).toMatchObject({ decision: 'allowed', policyStatus: 'unsupported', policyFrom: '2024-07-09T00:00:00.000000Z' });
    expect(before).toMatchObject({ decision: 'blocked', policyStatus: 'supported', policyTo: '2024-07-09T00:00:00.000000Z' });
  });

  it('lets a channel version override the provider-wide one only while it is in force', async () => {
    const list = await violationList(db().prisma, filters('region=CN&channel=azure-china-21vianet'), { page: 1, pageSize: 10_000 });
    const inside = list.rows.filter((r) => Date.parse(r.occurredAt) >= T0 + 3 * 24 * H && Date.parse(r.occurredAt) < T0 + 15 * 24 * H);
    expect(inside.length).toBeGreaterThan(0);
    expect(inside.every((r) => r.decision === 'blocked' && r.policyChannel === 'azure-china-21vianet')).toBe(true);
    const outside = list.rows.filter((r) => !inside.includes(r));
    expect(outside.length).toBeGreaterThan(0);
    expect(outside.every((r) => r.decision === 'allowed' && r.policyChannel === null)).toBe(true);
  });

  it('counts per account and over time as the naive model does', async () => {
    const f = filters();
    const expected = expectedViolations(f);
    const perAccount = new Map<string, number>();
    for (const r of expected) perAccount.set(r.accountId, (perAccount.get(r.accountId) ?? 0) + 1);
    const { rows: accounts, total } = await violationAccounts(db().prisma, f, { column: 'total', desc: true, page: 1, pageSize: 500 });
    expect(total).toBe(perAccount.size);
    expect(Object.fromEntries(accounts.map((a) => [a.accountId, a.total]))).toEqual(Object.fromEntries(perAccount));
    expect(accounts.map((a) => a.total)).toEqual([...accounts.map((a) => a.total)].sort((a, b) => b - a));
    const series = await violationSeries(db().prisma, f, 'day');
    const perDay = new Map<string, number>();
    for (const r of expected) perDay.set(`${r.occurredAt.slice(0, 10)}T00:00:00.000Z`, (perDay.get(`${r.occurredAt.slice(0, 10)}T00:00:00.000Z`) ?? 0) + 1);
    expect(Object.fromEntries(series.map((p) => [p.bucket, p.allowedUnsupported + p.blockedSupported]))).toEqual(Object.fromEntries(perDay));
  });

  it.each(['', 'from=2024-07-02T05:17:00Z&to=2024-07-15T19:42:00Z', 'from=2024-06-29T12:00:00Z&to=2024-07-03T06:00:00Z',
    'from=2024-07-08T23:00:00Z&to=2024-07-09T01:00:00Z', 'region=CN&decision=blocked&from=2024-06-28T00:00:00Z&to=2024-07-10T12:00:00Z',
    'channel=direct&not_region=HK&from=2024-06-30T23:59:59.999Z&to=2024-07-20T00:00:00.001Z'])(
    'lists violations per account as the naive model does with "%s"', async (query) => {
      const f = filters(query);
      const expected = new Map<string, { accountId: string; allowedUnsupported: number; blockedSupported: number; total: number; firstAt: string; lastAt: string; channels: string[] }>();
      for (const r of expectedViolations(f).sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : 1))) {
        const e = expected.get(r.accountId) ?? { accountId: r.accountId, allowedUnsupported: 0, blockedSupported: 0, total: 0, firstAt: r.occurredAt, lastAt: r.occurredAt, channels: [] };
        if (r.decision === 'allowed') e.allowedUnsupported++;
        else e.blockedSupported++;
        e.total++;
        e.lastAt = r.occurredAt;
        if (!e.channels.includes(`${r.provider}/${r.channel}`)) e.channels = [...e.channels, `${r.provider}/${r.channel}`].sort();
        expected.set(r.accountId, e);
      }
      expect(expected.size).toBeGreaterThan(query.includes('07-08T23') ? 1 : 4);
      const all = await violationAccounts(db().prisma, f, { column: 'total', desc: true, page: 1, pageSize: 1000 });
      expect(all.total).toBe(expected.size);
      expect(Object.fromEntries(all.rows.map(({ accountName: _, ...r }) => [r.accountId, r]))).toEqual(Object.fromEntries(expected));
      expect(all.rows.map((a) => a.total)).toEqual([...all.rows.map((a) => a.total)].sort((a, b) => b - a));
      const { current, previous, previousFrom } = await violationSummary(db().prisma, f);
      expect(current).toEqual({
        allowedUnsupported: [...expected.values()].reduce((n, e) => n + e.allowedUnsupported, 0),
        blockedSupported: [...expected.values()].reduce((n, e) => n + e.blockedSupported, 0),
        total: [...expected.values()].reduce((n, e) => n + e.total, 0),
        accounts: expected.size,
      });
      // The period of equal length before, with the same filters.
      const before = expectedViolations({ ...f, from: previousFrom, to: f.from });
      expect(previousFrom.getTime()).toBe(2 * f.from.getTime() - f.to.getTime());
      expect(previous).toEqual({
        allowedUnsupported: before.filter((r) => r.decision === 'allowed').length,
        blockedSupported: before.filter((r) => r.decision === 'blocked').length,
        total: before.length,
        accounts: new Set(before.map((r) => r.accountId)).size,
      });
      // Ordered by the last violation, one page of it: the same rows as sorting the whole answer.
      const byLast = [...expected.values()].sort((a, b) => (a.lastAt > b.lastAt ? -1 : a.lastAt < b.lastAt ? 1 : a.accountId > b.accountId ? -1 : 1));
      const page = await violationAccounts(db().prisma, f, { column: 'lastAt', desc: true, page: 2, pageSize: 2 });
      expect(page.total).toBe(expected.size);
      expect(page.rows.map((a) => a.accountId)).toEqual(byLast.slice(2, 4).map((a) => a.accountId));
      const past = await violationAccounts(db().prisma, f, { column: 'total', desc: true, page: 100, pageSize: 50 });
      expect(past).toEqual({ rows: [], total: expected.size });
    });

  // Ties by the dozen: totals of a few violations each, and accounts with none of a kind.
  it.each(['', 'from=2024-07-02T05:17:00Z&to=2024-07-15T19:42:00Z', 'decision=blocked&from=2024-06-29T12:00:00Z&to=2024-07-03T06:00:00Z',
    'from=2024-07-08T23:00:00Z&to=2024-07-09T01:00:00Z', 'from=2024-07-11T00:00:00Z&to=2024-07-13T00:00:00Z'])(
    'ranks the accounts by each count, either way, page by page, as the naive model does with "%s"', async (query) => {
      const f = filters(query);
      const per = new Map<string, { accountId: string; allowedUnsupported: number; blockedSupported: number; total: number }>();
      for (const r of expectedViolations(f)) {
        const e = per.get(r.accountId) ?? { accountId: r.accountId, allowedUnsupported: 0, blockedSupported: 0, total: 0 };
        e[r.decision === 'allowed' ? 'allowedUnsupported' : 'blockedSupported']++;
        e.total++;
        per.set(r.accountId, e);
      }
      expect(per.size).toBeGreaterThan(1);
      for (const column of ['total', 'allowedUnsupported', 'blockedSupported'] as const) {
        for (const desc of [true, false]) {
          const sign = desc ? -1 : 1;
          const sorted = [...per.values()].sort((a, b) => sign * (a[column] - b[column]) || sign * (a.accountId < b.accountId ? -1 : 1));
          const pageSize = 7;
          for (let n = 1; n <= Math.ceil(sorted.length / pageSize) + 1; n++) {
            const got = await violationAccounts(db().prisma, f, { column, desc, page: n, pageSize });
            expect(got.total).toBe(sorted.length);
            expect(got.rows.map(({ accountId, allowedUnsupported, blockedSupported, total }) => ({ accountId, allowedUnsupported, blockedSupported, total })))
              .toEqual(sorted.slice((n - 1) * pageSize, n * pageSize));
          }
        }
      }
    });

  // The second range ends 4 minutes after a June violation (20:46): its last hour is partial.
  const LONG = 'from=2024-06-29T13:45:00Z&to=2024-07-17T02:10:00Z';
  const JUNE = 'from=2024-06-28T09:30:00Z&to=2024-06-30T20:50:00Z';
  it.each([
    ['UTC', 'hour', LONG], ['UTC', 'day', LONG], ['Asia/Shanghai', 'day', LONG], ['America/New_York', 'week', LONG], ['Asia/Kolkata', 'day', LONG],
    ['Asia/Kolkata', 'hour', LONG], ['UTC', 'hour', JUNE], ['Asia/Shanghai', 'day', JUNE],
    // Hours that straddle two UTC hours, from the violations' quarter counts.
    ['Asia/Kathmandu', 'hour', LONG], ['Asia/Kolkata', 'hour', JUNE], ['Asia/Kolkata', 'hour', `${LONG}&region=CN`],
  ] as const)('counts violations over time as the naive model does in %s per %s, with edges mid-hour (%s)', async (tz, bucket, range) => {
    const f = filters(`${range}&tz=${tz}&not_provider=mistral`);
    const localKey = localBucketKey(tz, bucket);
    const naive = new Map<string, { allowedUnsupported: number; blockedSupported: number }>();
    for (const r of expectedViolations(f)) {
      const c = naive.get(localKey(Date.parse(r.occurredAt))) ?? { allowedUnsupported: 0, blockedSupported: 0 };
      if (r.decision === 'allowed') c.allowedUnsupported++;
      else c.blockedSupported++;
      naive.set(localKey(Date.parse(r.occurredAt)), c);
    }
    expect(naive.size).toBeGreaterThan(bucket === 'week' ? 2 : range === JUNE && bucket === 'day' ? 1 : 15);
    const series = await violationSeries(db().prisma, f, bucket);
    expect(new Map(series.map(({ bucket: b, ...counts }) => [localKey(Date.parse(b)), counts]))).toEqual(naive);
    // Every bucket starts at a local boundary (Kolkata's hours at :30 past the UTC hour).
    for (const p of series) {
      const parts = localParts(tz, Date.parse(p.bucket));
      expect(parts.minute).toBe('00');
      if (bucket !== 'hour') expect(parts.hour).toBe('00');
    }
  });

  it('refuses overlapping versions of one key with a message naming the version in the way, and stores nothing', async () => {
    const before = await db().prisma.regionPolicy.count();
    const error = await addPolicy(db().pool, ADMIN, { provider: 'openai', region: 'HK', status: 'supported', effectiveFrom: '2024-08-01' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyChangeError);
    expect((error as PolicyChangeError).code).toBe('overlap');
    expect((error as Error).message).toMatch(/openai \(every channel\) in HK .* overlaps version #\d+ \(unsupported/);
    // The same dates for one channel are another key: allowed.
    await expect(addPolicy(db().pool, ADMIN, { provider: 'openai', channel: 'reseller-acme', region: 'HK', status: 'supported', effectiveFrom: '2030-01-01', effectiveTo: '2030-02-01' })).resolves.toMatchObject({ channel: 'reseller-acme' });
    // A whole import is refused at its first overlapping line.
    const csv = 'provider,channel,region,status,effective_from,effective_to,note\nmistral,,FR,supported,2024-01-01,,ok\nopenai,,HK,supported,2025-01-01,,clash\n';
    await expect(importPolicies(db().pool, ADMIN, csv)).rejects.toThrow(/^Line 3: openai \(every channel\) in HK/);
    expect(await db().prisma.regionPolicy.count()).toBe(before + 1);
    await expect(addPolicy(db().pool, ADMIN, { provider: 'openai', region: 'ZZ', status: 'supported', effectiveFrom: '2024-01-01' })).rejects.toThrow(/ISO 3166/);
    await expect(addPolicy(db().pool, ADMIN, { provider: 'openai', region: 'FR', status: 'banned', effectiveFrom: '2024-01-01' })).rejects.toThrow(/status must be one of/);
    await expect(addPolicy(db().pool, ADMIN, { provider: 'openai', region: 'FR', status: 'supported', effectiveFrom: '2024-02-01', effectiveTo: '2024-01-01' })).rejects.toThrow(/effective to must be after/);
  });

  it('changes the counts at once when a policy is edited, and audits every change on the chain', async () => {
    const f = filters('region=US');
    const before = (await violationSummary(db().prisma, f)).current;
    expect(before.total).toBe(0); // US: openai/direct restricted, nothing else listed
    const added = await addPolicy(db().pool, ADMIN, { provider: 'azure-openai', channel: 'azure-global', region: 'US', status: 'unsupported', effectiveFrom: '2024-07-10' });
    catalogue.push({ provider: 'azure-openai', channel: 'azure-global', region: 'US', status: 'unsupported', from: Date.parse('2024-07-10'), to: null });
    const after = (await violationSummary(db().prisma, f)).current;
    expect(after.allowedUnsupported).toBe(expectedViolations(f).length);
    expect(after.allowedUnsupported).toBeGreaterThan(0);
    await closePolicy(db().pool, ADMIN, added.id, '2024-07-12');
    catalogue.at(-1)!.to = Date.parse('2024-07-12');
    expect((await violationSummary(db().prisma, f)).current.allowedUnsupported).toBe(expectedViolations(f).length);
    const actions = (await db().prisma.auditEvent.findMany({ where: { action: { startsWith: 'policy.' } } })).map((e) => e.action);
    expect(actions.filter((a) => a === 'policy.create').length).toBeGreaterThanOrEqual(7);
    expect(actions).toContain('policy.close');
    expect(actions).toContain('policy.supersede');
    expect((await verifyAuditChain(db().prisma)).ok).toBe(true);
  });

  it.each(['', 'region=CN', 'channel=direct,azure-china-21vianet', 'not_provider=azure-openai',
    'from=2024-07-05T06:30:00Z&to=2024-07-12T06:30:00Z', 'from=2024-07-10T03:00:00Z&to=2024-07-11T02:00:00Z'])(
    'finds channel divergence as the naive model does with "%s"', async (query) => {
      const f = filters(query);
      const kept = rows.filter((r) => matchesFilters(r, { ...f, decision: { include: [], exclude: [] } }));
      const groups = new Map<string, DecisionRow[]>();
      for (const r of kept) groups.set(`${r.accountId}|${r.callerRegion}`, [...(groups.get(`${r.accountId}|${r.callerRegion}`) ?? []), r]);
      const route = (r: DecisionRow) => `${r.provider}/${r.channel}`;
      const perRoute = (group: DecisionRow[]) => {
        const counts = new Map<string, number>();
        for (const r of group) counts.set(route(r), (counts.get(route(r)) ?? 0) + 1);
        return [...counts].map(([name, count]) => ({ route: name, count }))
          .sort((a, b) => b.count - a.count || (a.route < b.route ? -1 : 1));
      };
      const expected = new Map<string, object>();
      for (const [key, group] of groups) {
        const blocks = group.filter((r) => r.decision === 'blocked');
        const allows = group.filter((r) => r.decision === 'allowed');
        if (!blocks.some((b) => allows.some((a) => route(a) !== route(b)))) continue;
        expected.set(key, {
          allowedAfterBlock: allows.filter((a) => blocks.some((b) => route(b) !== route(a) && b.occurredAt <= a.occurredAt)).length,
          allowed: allows.length,
          blocked: blocks.length,
          firstBlockAt: blocks.map((b) => b.occurredAt).sort()[0],
          blockedRoutes: perRoute(blocks),
          allowedRoutes: perRoute(allows),
        });
      }
      expect(expected.size).toBeGreaterThan(query.includes('07-11') ? 1 : 5);
      const all = await divergence(db().prisma, f, { column: 'allowedAfterBlock', desc: true, page: 1, pageSize: 1000 });
      expect(all.total).toBe(expected.size);
      expect(Object.fromEntries(all.rows.map(({ accountId, callerRegion, accountName: _, ...rest }) => [`${accountId}|${callerRegion}`, rest])))
        .toEqual(Object.fromEntries(expected));
      expect(all.rows.map((d) => d.allowedAfterBlock)).toEqual([...all.rows.map((d) => d.allowedAfterBlock)].sort((a, b) => b - a));
      // Another order, one page of it: the same rows as sorting the whole answer.
      const byFirst = [...all.rows].sort((a, b) => (a.firstBlockAt < b.firstBlockAt ? -1 : a.firstBlockAt > b.firstBlockAt ? 1 : a.accountId < b.accountId ? -1 : 1));
      const page = await divergence(db().prisma, f, { column: 'firstBlockAt', desc: false, page: 2, pageSize: 2 });
      expect(page.total).toBe(expected.size);
      expect(page.rows.map((d) => d.accountId)).toEqual(byFirst.slice(2, 4).map((d) => d.accountId));
      // Small pages in each direction: a page ranked by allowed after block works out only
      // the pairs that could rank on it, another order only its own rows.
      for (const [column, desc] of [['allowedAfterBlock', true], ['allowedAfterBlock', false], ['allowed', true], ['accountId', false]] as const) {
        const sign = desc ? -1 : 1;
        const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
        const sorted = [...all.rows].sort((a, b) => sign * (
          (column === 'accountId' ? 0 : a[column] - b[column]) || text(a.accountId, b.accountId) || text(a.callerRegion, b.callerRegion)));
        for (const n of [1, 2, 3]) {
          const got = await divergence(db().prisma, f, { column, desc, page: n, pageSize: 3 });
          expect(got.total).toBe(expected.size);
          expect(got.rows).toEqual(sorted.slice((n - 1) * 3, n * 3));
        }
      }
    });

  it.each([['-allowedAfterBlock', ''], ['allowedAfterBlock', 'from=2024-07-05T06:30:00Z&to=2024-07-12T06:30:00Z'], ['accountId', 'region=CN']])(
    'exports every divergent pair (sort %s, "%s") as the view ranks them, through the CSV stream', async (sort, query) => {
      const f = filters(query);
      const params = new URLSearchParams(`${query}&sort=${sort}&from=${f.from.toISOString()}&to=${f.to.toISOString()}`);
      const plan = await EXPORT_VIEWS.divergence.plan(db().prisma, f, params);
      const { body, done } = streamCsv(db().pool, plan.source, plan.header, plan.toValues);
      const csv = await new Response(body).text();
      expect((await done).rows).toBeGreaterThan(1);
      const column = sort.replace(/^-/, '') as 'allowedAfterBlock' | 'accountId';
      const view = await divergence(db().prisma, f, { column, desc: sort.startsWith('-'), page: 1, pageSize: 1000 });
      const routes = (rs: { route: string; count: number }[]) => rs.map((r) => `${r.route}:${r.count}`).join(' ');
      expect(parse(csv, { columns: true })).toEqual(view.rows.map((r) => ({
        account_id: r.accountId, account_name: r.accountName ?? '', caller_region: r.callerRegion, allowed_after_block: String(r.allowedAfterBlock),
        allowed: String(r.allowed), blocked: String(r.blocked), first_block_at: r.firstBlockAt, blocked_routes: routes(r.blockedRoutes), allowed_routes: routes(r.allowedRoutes),
      })));
    });

  it('counts an allowed decision at the instant of a block elsewhere, and not one after a block on its own route alone', async () => {
    const f = filters('region=MO');
    const { rows: found } = await divergence(db().prisma, f, { column: 'accountId', desc: false, page: 1, pageSize: 10 });
    expect(found.map((d) => [d.accountId, d.allowedAfterBlock, d.allowed, d.blocked, d.firstBlockAt])).toEqual([
      ['acct-tie', 1, 3, 1, TIE.toISOString()],
    ]);
  });

  const countsDigest = async () => (await db().pool.query(`
    SELECT (SELECT count(*)::int FROM account_violations_monthly) AS monthly,
           (SELECT md5(string_agg(concat_ws('|', month, account_id, caller_region, provider, channel, allowed::text, blocked::text), ','
                   ORDER BY month, account_id, caller_region, provider, channel)) FROM account_violations_monthly) AS monthly_md5,
           (SELECT count(*)::int FROM violation_counts_hourly) AS hourly,
           (SELECT md5(string_agg(concat_ws('|', bucket, caller_region, provider, channel, decision, count), ','
                   ORDER BY bucket, caller_region, provider, channel, decision)) FROM violation_counts_hourly) AS hourly_md5,
           (SELECT md5(string_agg(concat_ws('|', decision_id, policy_id), ',' ORDER BY decision_id)) FROM decision_violations) AS violations_md5,
           (SELECT count(*)::int FROM account_violation_daily_vectors) AS daily_vectors,
           (SELECT md5(string_agg(concat_ws('|', day, chunk, encode(counts, 'hex')), ',' ORDER BY day, chunk)) FROM account_violation_daily_vectors) AS daily_vectors_md5,
           (SELECT count(*)::int FROM account_violation_hourly_vectors) AS hourly_vectors,
           (SELECT md5(string_agg(concat_ws('|', hour, chunk, encode(counts, 'hex')), ',' ORDER BY hour, chunk)) FROM account_violation_hourly_vectors) AS hourly_vectors_md5,
           (SELECT count(*)::int FROM violation_quarter_vectors) AS quarter_vectors,
           (SELECT md5(string_agg(concat_ws('|', hour, chunk, encode(counts, 'hex')), ',' ORDER BY hour, chunk)) FROM violation_quarter_vectors) AS quarter_vectors_md5`)).rows[0];

  it('fills the violation counts, as ingestion and policy changes left them, when their migration runs', async () => {
    const kept = await countsDigest();
    expect(kept.monthly).toBeGreaterThan(20);
    expect(kept.hourly).toBeGreaterThan(100);
    await db().pool.query(`DROP TABLE account_violations_monthly, violation_counts_hourly`);
    await db().pool.query(`DELETE FROM _prisma_migrations WHERE migration_name = '20261204020000_violation_counts'`);
    expect(await migrate(db().pool)).toEqual(['20261204020000_violation_counts']);
    expect(await countsDigest()).toEqual(kept);
  });

  it('holds in its vectors each account\'s violations per UTC day and hour, as ingestion and policy changes left them', async () => {
    const { rows: [check] } = await db().pool.query(`
      WITH raw AS (
        SELECT u.unit, date_trunc(u.unit, v.occurred_at, 'UTC') AS bucket, a.ordinal,
               count(*) FILTER (WHERE v.decision = 'allowed')::int AS a, count(*) FILTER (WHERE v.decision = 'blocked')::int AS b
          FROM decision_violations v JOIN accounts a ON a.id = v.account_id
         CROSS JOIN (VALUES ('day'), ('hour')) u(unit) GROUP BY 1, 2, 3
      ), rows AS (${dayAndHourRowsSql('account_violation_daily_vectors', 'account_violation_hourly_vectors')}
      ), stored AS (${decodedEntriesSql('rows')}
      )
      SELECT (SELECT count(*)::int FROM raw) AS raw,
             (SELECT count(*)::int FROM stored FULL JOIN raw USING (unit, bucket, ordinal)
               WHERE stored.a IS DISTINCT FROM raw.a OR stored.b IS DISTINCT FROM raw.b) AS differ,
             (SELECT count(*)::int FROM rows WHERE length(counts) % 10 <> 0 OR length(counts) = 0) AS malformed`);
    expect(check.raw).toBeGreaterThan(300);
    expect(check).toMatchObject({ differ: 0, malformed: 0 });
  });

  const quarterCheck = async () => (await db().pool.query(`
      WITH raw AS (${quarterEntriesFromSql('decision_violations')}
      ), rows AS (${hourRowsSql('violation_quarter_vectors')}
      ), stored AS (${decodedEntriesSql('rows')}
      )
      SELECT (SELECT count(*)::int FROM raw) AS raw,
             (SELECT count(*)::int FROM decision_violations v WHERE NOT EXISTS (
                SELECT 1 FROM region_routes r WHERE (r.caller_region, r.provider, r.channel) = (v.caller_region, v.provider, v.channel))) AS unnumbered,
             (SELECT count(*)::int FROM stored FULL JOIN raw USING (unit, bucket, ordinal)
               WHERE stored.a IS DISTINCT FROM raw.a OR stored.b IS DISTINCT FROM raw.b) AS differ,
             (SELECT count(*)::int FROM rows WHERE length(counts) % 10 <> 0 OR length(counts) = 0) AS malformed`)).rows[0];

  it('holds in its quarter vectors each region route\'s violations per quarter of a UTC hour, as ingestion and policy changes left them', async () => {
    const check = await quarterCheck();
    expect(check.raw).toBeGreaterThan(300);
    expect(check).toMatchObject({ unnumbered: 0, differ: 0, malformed: 0 });
  });

  it('keeps both quarter vector tables numbered alike when the route catalogue or the decisions\' vectors are made again', async () => {
    const f = filters(`${LONG}&tz=Asia/Kolkata&region=CN`);
    const before = await violationSeries(db().prisma, f, 'hour');
    expect(before.length).toBeGreaterThan(15);
    // The decisions' vectors lost: refilled under the numbers kept. The catalogue lost:
    // both tables made again under new numbers (the sequence goes on).
    for (const table of ['region_route_quarter_vectors', 'region_routes']) {
      await db().pool.query(`DELETE FROM ${table}`);
      expect(await migrate(db().pool)).toEqual([]);
      expect(await quarterCheck()).toMatchObject({ unnumbered: 0, differ: 0, malformed: 0 });
      expect(await violationSeries(db().prisma, f, 'hour')).toEqual(before);
    }
  });

  it('fills the violation vectors, as ingestion and policy changes left them, when migrating a database that has violations but none', async () => {
    const kept = await countsDigest();
    expect(kept.daily_vectors).toBeGreaterThan(15);
    expect(kept.hourly_vectors).toBeGreaterThan(200);
    const f = filters('from=2024-07-02T05:17:00Z&to=2024-07-15T19:42:00Z');
    const before = await violationAccounts(db().prisma, f, { column: 'total', desc: true, page: 1, pageSize: 1000 });
    await db().pool.query('TRUNCATE account_violation_daily_vectors, account_violation_hourly_vectors, violation_quarter_vectors');
    expect(await migrate(db().pool)).toEqual([]);
    expect(await countsDigest()).toEqual(kept);
    expect(await violationAccounts(db().prisma, f, { column: 'total', desc: true, page: 1, pageSize: 1000 })).toEqual(before);
    // One of the two lost (filled together): both made again, the other not added to twice.
    for (const table of ['account_violation_hourly_vectors', 'account_violation_daily_vectors', 'violation_quarter_vectors']) {
      await db().pool.query(`TRUNCATE ${table}`);
      expect(await migrate(db().pool)).toEqual([]);
      expect(await countsDigest()).toEqual(kept);
    }
  });

  it('fills the account route vectors, as ingestion left them, when migrating a database that has pairs with two routes but none', async () => {
    // By route, not ordinal: a fill numbers the routes in one pass, batches as they came.
    const digest = async () => (await db().pool.query(`
      WITH rows AS (
        SELECT 'day' AS unit, v.day::text AS bucket, v.chunk, v.counts FROM account_route_daily_vectors v
        UNION ALL SELECT 'hour', v.hour::text, v.chunk, v.counts FROM account_route_hourly_vectors v
      ), entries AS (
        SELECT v.unit, v.bucket, v.chunk * 8192 + get_byte(v.counts, e * 10) * 256 + get_byte(v.counts, e * 10 + 1) AS ordinal,
               encode(substring(v.counts FROM e * 10 + 3 FOR 8), 'hex') AS counts
          FROM rows v CROSS JOIN LATERAL generate_series(0, length(v.counts) / 10 - 1) e
      )
      SELECT count(*)::int AS n, md5(string_agg(concat_ws('|', unit, bucket, account_id, caller_region, provider, channel, counts), ','
             ORDER BY unit, bucket, account_id, caller_region, provider, channel)) AS md5
        FROM entries JOIN account_routes USING (ordinal)`)).rows[0];
    const f = filters('');
    const answer = () => divergence(db().prisma, f, { column: 'allowedAfterBlock', desc: true, page: 1, pageSize: 1000 });
    const [ingested, before] = [await digest(), await answer()];
    expect(ingested.n).toBeGreaterThan(100);
    expect(before.total).toBeGreaterThan(5);
    await db().pool.query('TRUNCATE account_routes, account_route_daily_vectors, account_route_hourly_vectors RESTART IDENTITY');
    expect(await migrate(db().pool)).toEqual([]);
    expect(await digest()).toEqual(ingested);
    // And divergence answers as before from the refilled rows (the route map rereads a table whose last row changed).
    expect(await answer()).toEqual(before);
  });

  it('derives the violations and their counts from the stored decisions alone, as ingestion and policy changes left them', async () => {
    const kept = await countsDigest();
    await db().pool.query('TRUNCATE decision_violations, account_violations_monthly, violation_counts_hourly, account_violation_daily_vectors, account_violation_hourly_vectors, violation_quarter_vectors');
    const client = await db().pool.connect();
    try {
      await fillViolationsFromDecisions(client);
    } finally {
      client.release();
    }
    expect(await countsDigest()).toEqual(kept);
  });

  // Last: it stores rows of its own (in 2030, outside every range above).
  it('keeps its route map when a read in an older snapshot cannot see the routes added since', async () => {
    await divergence(db().prisma, filters(''), { column: 'allowedAfterBlock', desc: true, page: 1, pageSize: 10 });
    const late = (requestId: string, channel: string, occurredAt: string): DecisionRow =>
      ({ ...rows[0]!, requestId, accountId: 'acct-late', callerRegion: 'CN', provider: 'openai', channel, decision: 'allowed', occurredAt });
    await db().prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1`; // the snapshot is taken here
      await ingestRows(db().pool, 'late.csv', [late('late-1', 'direct', '2030-01-01T00:00:00.000Z'), late('late-2', 'reseller-acme', '2030-01-01T01:00:00.000Z')]);
      const fresh = await routeMap(db().prisma);
      expect(fresh.ordinalOf.has(routeKey('acct-late', 'CN', 'openai', 'reseller-acme'))).toBe(true);
      // The older snapshot sees neither new route; the map it gets still holds them.
      const old = await routeMap(tx);
      expect(old.size).toBe(fresh.size);
      expect(old.ordinalOf.has(routeKey('acct-late', 'CN', 'openai', 'reseller-acme'))).toBe(true);
    }, { isolationLevel: 'RepeatableRead' });
  });

  // Stores rows of its own in 2031, outside every range above.
  it('ranks more tied accounts than it lists by ordinal (sent as a bitmap) in account id order, either way', async () => {
    // 2,300 accounts with one violation each (CN on openai is unsupported from the boundary on), 40 with two.
    const tied = Array.from({ length: 2300 }, (_, i): DecisionRow => ({
      ...rows[0]!, requestId: `tied-${i}`, accountId: `tied-${String((i * 7919) % 2300).padStart(4, '0')}`, callerRegion: 'CN',
      provider: 'openai', channel: 'direct', decision: 'allowed', occurredAt: new Date(Date.parse('2031-01-01T00:00:00Z') + i * 1000).toISOString(),
    }));
    const twice = tied.slice(0, 40).map((r, i) => ({ ...r, requestId: `twice-${i}`, occurredAt: '2031-01-01T12:00:00.000Z' }));
    await ingestRows(db().pool, 'tied.csv', [...tied, ...twice]);
    const f = filters('from=2031-01-01T00:00:00Z&to=2031-01-02T00:00:00Z');
    const per = new Map<string, number>();
    for (const r of expectedViolations(f)) per.set(r.accountId, (per.get(r.accountId) ?? 0) + 1);
    for (const r of [...tied, ...twice]) per.set(r.accountId, (per.get(r.accountId) ?? 0) + 1);
    expect(per.size).toBe(2300);
    for (const desc of [true, false]) {
      const sign = desc ? -1 : 1;
      const sorted = [...per.entries()].sort(([a, x], [b, y]) => sign * (x - y) || sign * (a < b ? -1 : 1));
      for (const page of [1, 2, 30, 46, 47]) {
        const got = await violationAccounts(db().prisma, f, { column: 'total', desc, page, pageSize: 50 });
        expect(got.total).toBe(2300);
        expect(got.rows.map((r) => [r.accountId, r.total])).toEqual(sorted.slice((page - 1) * 50, page * 50));
      }
    }
  });
});
