import { beforeAll, describe, expect, it } from 'vitest';

import { parseFilters } from '@/lib/analytics/filters';
import { timeSeries } from '@/lib/analytics/time-series';
import { violationSeries } from '@/lib/analytics/violations';
import { addPolicy } from '@/lib/policy/catalogue';
import { seededRandom } from '@/lib/demo/random';
import type { DecisionRow } from '@/lib/ingest/validate';

import { ingestRows, matchesFilters } from '../helpers/decision-rows';
import { localBucketKey } from '../helpers/local-buckets';
import { useTestDatabase } from '../helpers/test-database';

// The series per hour, day and week in zones whose clocks change within the range, checked
// against a naive count over the same rows: the daily counts placed on one side of each local
// date's start, the quarters of the other side moved across, and the hours a midnight splits
// taken from their quarters (lib/analytics/time-series.ts) must agree with Intl's calendar
// through DST changes of an hour and of half an hour, clocks that skip midnight, and
// offsets of 45 minutes.

const START = Date.parse('2024-09-01T00:00:00Z');
const SPAN = 75 * 86_400_000;

function makeRows(count: number): DecisionRow[] {
  const random = seededRandom(7);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  return Array.from({ length: count }, (_, i) => {
    // Some on quarter hour boundaries (the vectors' own) and a microsecond before them.
    const t = i % 40 === 0 ? Math.floor(random() * (SPAN / 900_000)) * 900_000 - (i % 80 === 0 ? 0 : 0.001) : random() * SPAN;
    const micros = Math.round((START + t) * 1000);
    const iso = new Date(Math.floor(micros / 1000)).toISOString();
    const blocked = random() < 0.35;
    return {
      occurredAt: `${iso.slice(0, 23)}${String(micros % 1000).padStart(3, '0')}Z`,
      requestId: `z-${i}`,
      accountId: `acct-${i % 23}`,
      accountName: undefined,
      callerRegion: pick(['CN', 'US', 'IN', 'AU']),
      servingRegion: undefined,
      provider: pick(['openai', 'azure-openai']),
      channel: pick(['direct', 'azure-global']),
      decision: blocked ? 'blocked' : 'allowed',
      reason: undefined,
      policyVersion: undefined,
      model: pick([undefined, 'gpt-4o']),
    } satisfies DecisionRow;
  });
}

const ROWS = makeRows(8000);
const POLICIES = [
  { provider: 'openai', region: 'CN', status: 'unsupported' },
  { provider: 'azure-openai', region: 'AU', status: 'supported' },
] as const;
const isViolation = (r: DecisionRow) =>
  (r.decision === 'allowed' && r.provider === 'openai' && r.callerRegion === 'CN') || (r.decision === 'blocked' && r.provider === 'azure-openai' && r.callerRegion === 'AU');
const NOW = new Date(START + SPAN + 86_400_000);

/** The naive model: per local bucket, the rows counted under the field `field` names. */
function countsByBucket<C extends Record<string, number>>(rows: DecisionRow[], localKey: (t: number) => string, field: (r: DecisionRow) => keyof C, empty: C): Map<string, C> {
  const out = new Map<string, C>();
  for (const r of rows) {
    const key = localKey(Date.parse(r.occurredAt));
    const c = out.get(key) ?? { ...empty };
    (c[field(r)] as number) += 1;
    out.set(key, c);
  }
  return out;
}

describe('time series in zones whose clocks change', () => {
  const db = useTestDatabase();

  beforeAll(async () => {
    expect((await ingestRows(db().pool, 'zones.csv', ROWS)).status).toBe('complete');
    // Violations: openai allowed in CN while unsupported, azure-openai blocked in AU while supported.
    for (const p of POLICIES) await addPolicy(db().pool, { kind: 'system', label: 'zone series test' }, { ...p, effectiveFrom: new Date('2024-01-01T00:00:00Z'), effectiveTo: null });
  });

  it.each(([
    // DST ends (an hour) on 3 November; ends (an hour) in Europe on 27 October.
    ['America/New_York', 'day'], ['America/New_York', 'week'], ['America/New_York', 'hour'], ['Europe/London', 'day'],
    // Clocks skip midnight (24:00 -> 01:00) on 7 September.
    ['America/Santiago', 'day'], ['America/Santiago', 'week'],
    // +09:30 -> +10:30 on 6 October; +10:30 -> +11:00 (half an hour) the same day; +12:45 -> +13:45 on 29 September.
    ['Australia/Adelaide', 'day'], ['Australia/Adelaide', 'hour'], ['Australia/Lord_Howe', 'day'], ['Australia/Lord_Howe', 'hour'],
    // Not Chatham per hour: its clocks jump from 02:45 to 03:45, and PostgreSQL's
    // date_trunc(...) AT TIME ZONE puts local 03:45-04:00 in the 04:00 bucket (README, Design).
    ['Pacific/Chatham', 'day'], ['Pacific/Chatham', 'week'],
    ['Asia/Shanghai', 'day'], ['Asia/Kolkata', 'week'],
    // Whole hours at both ends: no raw edge at all.
    ['UTC', 'hour', 'from=2024-10-01T00:00:00Z&to=2024-10-09T00:00:00Z'], ['Asia/Kolkata', 'hour', 'from=2024-10-01T00:00:00Z&to=2024-10-09T00:00:00Z'],
    ['Asia/Kolkata', 'day', 'from=2024-10-01T00:00:00Z&to=2024-10-09T00:00:00Z'],
  ] as Array<[string, 'hour' | 'day' | 'week', string?]>).map(([tz, bucket, span]) => [tz, bucket, span ?? ''] as const))('%s per %s %s', async (tz, bucket, given) => {
    const span = given || 'from=2024-09-02T13:47:00Z&to=2024-11-12T07:22:00Z';
    for (const extra of ['', '&region=CN,AU&decision=blocked', '&not_provider=openai']) {
      const filters = parseFilters(new URLSearchParams(`${span}&tz=${tz}${extra}`), NOW);
      const expected = ROWS.filter((r) => matchesFilters(r, filters));
      expect(expected.length).toBeGreaterThan(50);
      const localKey = localBucketKey(tz, bucket);
      const naive = countsByBucket(expected, localKey, (r) => r.decision, { allowed: 0, blocked: 0 });
      const series = await timeSeries(db().prisma, filters, bucket);
      expect(new Map(series.map((p) => [localKey(Date.parse(p.bucket)), { allowed: p.allowed, blocked: p.blocked }]))).toEqual(naive);
      expect(series.length).toBe(naive.size);
    }
  });

  // The violations' series: hours from their hourly or quarter hour counts, and in zones such
  // as Kolkata the hours a midnight splits moved across by their quarters.
  it.each([
    ['Asia/Kolkata', 'day'], ['Asia/Kolkata', 'week'], ['Asia/Kolkata', 'hour'], ['Australia/Adelaide', 'day'], ['Australia/Adelaide', 'hour'],
    ['Australia/Lord_Howe', 'day'], ['Asia/Kathmandu', 'week'], ['America/New_York', 'day'], ['Pacific/Chatham', 'day'],
  ] as const)('violations in %s per %s', async (tz, bucket) => {
    for (const extra of ['', '&region=AU', '&decision=allowed']) {
      const filters = parseFilters(new URLSearchParams(`from=2024-09-02T13:47:00Z&to=2024-11-12T07:22:00Z&tz=${tz}${extra}`), NOW);
      const expected = ROWS.filter((r) => isViolation(r) && matchesFilters(r, filters));
      expect(expected.length).toBeGreaterThan(50);
      const localKey = localBucketKey(tz, bucket);
      const naive = countsByBucket(expected, localKey, (r) => (r.decision === 'allowed' ? 'allowedUnsupported' : 'blockedSupported'),
        { allowedUnsupported: 0, blockedSupported: 0 });
      const series = await violationSeries(db().prisma, filters, bucket);
      expect(new Map(series.map(({ bucket: b, ...counts }) => [localKey(Date.parse(b)), counts]))).toEqual(naive);
      expect(series.length).toBe(naive.size);
    }
  });
});
