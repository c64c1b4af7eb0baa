import { inSnapshot } from '@/lib/db/snapshot';
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import type { PolicyStatus } from '@/lib/policy/in-force';
import { runningDaysSum } from '@/lib/rollups/account-running-monthly';
import { addEntries, VECTOR_CHUNK } from '@/lib/rollups/account-running-vectors';
import { violationsIn } from '@/lib/rollups/decision-violations';
import { type QuarterCounts, quarterCountsRelation } from '@/lib/rollups/region-route-quarters';
import { hourlyViolationsSelect, readViolationVectors, violationQuarterCounts, violationRunningRowsIn } from '@/lib/rollups/violation-counts';

import { admits } from './filter-sql';
import { type Bucket, constrainedDimensions, type Filters } from './filters';
import { dayParts, hasWholeHourOffsets, hasWholeQuarterHourOffsets, monthDays, previousSpan, rangeParts, type Span, unitsTouched, zoneDayParts, type ZoneDayParts } from './range';
import { type BucketSums, movedAcross, placedAt, quartersByLocalHour, quartersMovedAcross, withBucketSums } from './sources';

const HOUR_MS = 3_600_000;

// Violations of the policy catalogue (lib/rollups/decision-violations.ts keeps them):
// decisions allowed while their region was unsupported for the provider (and channel),
// or blocked while it was supported, with every usual filter.

/**
 * Per account route, the violations of each kind in a span (a, b), as a relation with
 * the columns account_id, provider, channel, a, b, lo and hi (a route may appear more
 * than once, or with none in range): whole UTC days from the running monthly rows, two
 * subscripts each (lo and hi null), and the partial days at the edges from the
 * violations themselves (time index), with their first and last instants (lo, hi). With
 * `account` (an SQL expression), that account's alone.
 */
export function routeViolationsSql(span: Span, filters: Filters, account?: Prisma.Sql): Prisma.Sql {
  const months = monthDays(span.from, span.to).filter((m) => m.whole[1] >= m.whole[0]);
  const parts = dayParts(span.from, span.to).raw.map((edge) => Prisma.sql`
    SELECT account_id, provider, channel, count(*) FILTER (WHERE decision = 'allowed') AS a, count(*) FILTER (WHERE decision = 'blocked') AS b,
           min(occurred_at) AS lo, max(occurred_at) AS hi
      FROM (${violationsIn(edge, filters, account ? [Prisma.sql`account_id = ${account}`] : [])}) e GROUP BY 1, 2, 3`);
  if (months.length) {
    parts.push(Prisma.sql`
      SELECT m.account_id, m.provider, m.channel, ${runningDaysSum('allowed', admits(filters, 'allowed'), 'wlo', 'whi')} AS a,
             ${runningDaysSum('blocked', admits(filters, 'blocked'), 'wlo', 'whi')} AS b, NULL::timestamptz AS lo, NULL::timestamptz AS hi
        FROM ${violationRunningRowsIn(filters, months, account ? [Prisma.sql`m.account_id = ${account}`] : [])}`);
  }
  return Prisma.join(parts, ' UNION ALL ');
}

/**
 * Per account with violations in the span: allowed, blocked, total, the routes
 * (provider/channel) they were on, the first and last instants seen on the edges, and
 * how many fell on whole days (whole).
 */
export const accountViolationsSql = (span: Span, filters: Filters, withChannels = true) => Prisma.sql`
  SELECT account_id, sum(a)::bigint AS allowed, sum(b)::bigint AS blocked, sum(a + b)::bigint AS total,
         ${withChannels ? channelsAgg : Prisma.sql`NULL::text[]`} AS channels,
         min(lo) AS edge_first, max(hi) AS edge_last, coalesce(sum(a + b) FILTER (WHERE lo IS NULL), 0) AS whole
    FROM (${routeViolationsSql(span, filters)}) r GROUP BY account_id HAVING sum(a + b) > 0`;

/** The routes (provider/channel) with violations, of rows r of routeViolationsSql. */
export const channelsAgg = Prisma.sql`array_agg(DISTINCT provider || '/' || channel ORDER BY provider || '/' || channel) FILTER (WHERE a + b > 0)`;

/** Whether the violation vectors answer the filters: they hold every route together, so no filter on region, provider or channel. */
export const byEveryRoute = (filters: Filters) => constrainedDimensions(filters, ['region', 'provider', 'channel']).length === 0;

/**
 * Every account's violations in a span by ordinal, of the kinds the filters' decision
 * condition admits (the other kind zero; byEveryRoute must hold): whole UTC days and hours
 * from the vectors, the minutes of the partial hours at the ends from the violations
 * themselves. Several statements: run in one snapshot (inSnapshot).
 */
export async function violationsByOrdinal(tx: Prisma.TransactionClient, span: Span, filters: Filters): Promise<{ allowed: Float64Array; blocked: Float64Array }> {
  const { daily, hourly, raw } = rangeParts(span.from, span.to);
  const rows = [
    ...(await readViolationVectors(tx, 'day', unitsTouched(daily, 86_400_000))),
    ...(await readViolationVectors(tx, 'hour', unitsTouched(hourly, 3_600_000))),
  ];
  const [edges] = raw.length
    ? await tx.$queryRaw<Array<{ ordinals: number[]; allowed: number[]; blocked: number[] }>>`
        SELECT coalesce(array_agg(o.ordinal), '{}') AS ordinals, coalesce(array_agg(e.a), '{}') AS allowed, coalesce(array_agg(e.b), '{}') AS blocked
          FROM (SELECT account_id, count(*) FILTER (WHERE decision = 'allowed')::int AS a, count(*) FILTER (WHERE decision = 'blocked')::int AS b
                  FROM (${Prisma.join(raw.map((s) => violationsIn(s, filters)), ' UNION ALL ')}) v GROUP BY account_id) e
          -- One lookup per account: a join hashed all 90,000 accounts for a few hundred.
          CROSS JOIN LATERAL (SELECT ordinal FROM accounts WHERE id = e.account_id) o`
    : [{ ordinals: [], allowed: [], blocked: [] }];
  // A loop, not Math.max(...): a range of edges alone may hold every account, past the
  // number of arguments a call takes.
  let size = 0;
  for (const r of rows) size = Math.max(size, (r.chunk + 1) * VECTOR_CHUNK);
  for (const o of edges!.ordinals) size = Math.max(size, o + 1);
  const allowed = new Float64Array(size);
  const blocked = new Float64Array(size);
  for (const r of rows) addEntries(r.counts, allowed, blocked, r.chunk * VECTOR_CHUNK, 1);
  edges!.ordinals.forEach((o, i) => {
    allowed[o]! += edges!.allowed[i]!;
    blocked[o]! += edges!.blocked[i]!;
  });
  // The edges' violations were read with the decision condition; the vectors hold both kinds.
  if (!admits(filters, 'allowed')) allowed.fill(0);
  if (!admits(filters, 'blocked')) blocked.fill(0);
  return { allowed, blocked };
}

export interface ViolationCounts {
  /** Allowed while the policy in force said unsupported. */
  allowedUnsupported: number;
  /** Blocked while the policy in force said supported. */
  blockedSupported: number;
  total: number;
  accounts: number;
}

export interface ViolationSummary {
  current: ViolationCounts;
  previous: ViolationCounts;
  previousFrom: Date;
}

async function counts(prisma: PrismaClient, span: Span, filters: Filters): Promise<ViolationCounts> {
  if (byEveryRoute(filters)) {
    const { allowed, blocked } = await inSnapshot(prisma, (tx) => violationsByOrdinal(tx, span, filters));
    const c: ViolationCounts = { allowedUnsupported: 0, blockedSupported: 0, total: 0, accounts: 0 };
    for (let i = 0; i < allowed.length; i++) {
      c.allowedUnsupported += allowed[i]!;
      c.blockedSupported += blocked[i]!;
      if (allowed[i]! + blocked[i]! > 0) c.accounts++;
    }
    return { ...c, total: c.allowedUnsupported + c.blockedSupported };
  }
  const [row] = await prisma.$queryRaw<{ allowed: bigint | null; blocked: bigint | null; accounts: bigint }[]>`
    SELECT sum(a)::bigint AS allowed, sum(b)::bigint AS blocked, count(*) AS accounts FROM (
      SELECT account_id, sum(a) AS a, sum(b) AS b FROM (${routeViolationsSql(span, filters)}) r
       GROUP BY account_id HAVING sum(a + b) > 0) per_account`;
  const allowedUnsupported = Number(row!.allowed ?? 0);
  const blockedSupported = Number(row!.blocked ?? 0);
  return { allowedUnsupported, blockedSupported, total: allowedUnsupported + blockedSupported, accounts: Number(row!.accounts) };
}

/** The range's violation counts and those of the period of equal length before it. */
export async function violationSummary(prisma: PrismaClient, filters: Filters): Promise<ViolationSummary> {
  const before = previousSpan(filters);
  const [current, previous] = await Promise.all([counts(prisma, filters, filters), counts(prisma, before, filters)]);
  return { current, previous, previousFrom: before.from };
}

export interface ViolationPoint {
  bucket: string;
  allowedUnsupported: number;
  blockedSupported: number;
}

/**
 * Violations per hour, day or week in the filters' time zone (empty buckets omitted):
 * whole UTC hours from their hourly counts, the minutes at the edges from the violations
 * themselves. In a zone whose offsets are quarter hours but not whole hours (Asia/Kolkata),
 * hour buckets read the violations' quarter hour counts, and day and week buckets move the
 * part of each hour a local midnight splits by its quarters (zoneDayParts).
 */
export async function violationSeries(prisma: PrismaClient, filters: Filters, bucket: Bucket): Promise<ViolationPoint[]> {
  const { tz, from, to } = filters;
  if (hasWholeHourOffsets(tz, from, to)) {
    return bucketedViolations(prisma, filters, bucket, hourlyAndRaw({ ...rangeParts(from, to, false), placed: [] }, filters));
  }
  if (hasWholeQuarterHourOffsets(tz, from, to)) {
    return inSnapshot(prisma, (tx) => (bucket === 'hour' ? quarterHourViolationSeries(tx, filters) : zoneDayViolationSeries(tx, filters, bucket)));
  }
  // Offsets of odd minutes (none since 1972): the split parts from the violations themselves.
  if (bucket === 'hour') return bucketedViolations(prisma, filters, bucket, hourlyAndRaw({ raw: [{ from, to }], hourly: [], placed: [] }, filters));
  const parts = zoneDayParts(tz, from, to);
  return bucketedViolations(prisma, filters, bucket, Prisma.join([
    hourlyAndRaw(parts, filters),
    ...parts.moved.map(({ side, place }) => Prisma.sql`SELECT x.ts, v.decision, x.n FROM (${violationsIn(side, filters)}) v
        ${movedAcross(Prisma.sql`v.occurred_at`, place)}`),
  ], ' UNION ALL '));
}

/** Violations of whole hours (their hourly counts, each at its placement where one is listed) and of raw spans, as (ts, decision, n). */
function hourlyAndRaw(parts: Pick<ZoneDayParts, 'raw' | 'hourly' | 'placed'>, filters: Filters): Prisma.Sql {
  const at = placedAt(parts.placed, Prisma.sql`h.ts`);
  return Prisma.join([
    ...parts.hourly.map((h) => Prisma.sql`SELECT ${at.ts} AS ts, h.decision, h.n FROM (${hourlyViolationsSelect(h, filters)}) h ${at.join}`),
    ...parts.raw.map((r) => Prisma.sql`SELECT occurred_at AS ts, decision, 1::bigint AS n FROM (${violationsIn(r, filters)}) v`),
    // Neither (a range inside one hour of no whole hour, or empty): no row.
    Prisma.sql`SELECT NULL::timestamptz, NULL::"Decision", 0::bigint WHERE false`,
  ], ' UNION ALL ');
}

/** Quarter hour counts as the relation (ts, decision, n). */
const quarterViolations = (q: QuarterCounts) => Prisma.sql`SELECT q.ts, x.decision, x.n FROM (${quarterCountsRelation(q)}) q
  CROSS JOIN LATERAL (VALUES ('allowed'::"Decision", q.allowed), ('blocked'::"Decision", q.blocked)) x (decision, n)`;

/**
 * Hour buckets of a zone whose offsets are quarter hours but not all whole hours (Asia/Kolkata):
 * the whole UTC hours from their violations' quarter counts (violation-counts.ts), summed
 * per local hour here but near an offset change (quartersByLocalHour), the partial first
 * and last hours from the violations themselves, in one snapshot.
 */
async function quarterHourViolationSeries(tx: Prisma.TransactionClient, filters: Filters): Promise<ViolationPoint[]> {
  const { raw, hourly } = rangeParts(filters.from, filters.to, false);
  const { summed, rest } = quartersByLocalHour(filters.tz, await violationQuarterCounts(tx, unitsTouched(hourly, HOUR_MS), filters));
  return bucketedViolations(tx, filters, 'hour', Prisma.join([quarterViolations(rest), hourlyAndRaw({ raw, hourly: [], placed: [] }, filters)], ' UNION ALL '), summed);
}

/**
 * Day and week buckets of such a zone: whole hours from their hourly counts, an hour split
 * by a local midnight placed on its longer side and its shorter side's quarters moved
 * across (quartersMovedAcross) rather than its raw violations (~half of 90 days in Kolkata
 * time was reading them); the partial first and last hours from the violations. One snapshot.
 */
async function zoneDayViolationSeries(tx: Prisma.TransactionClient, filters: Filters, bucket: Bucket): Promise<ViolationPoint[]> {
  const parts = zoneDayParts(filters.tz, filters.from, filters.to);
  const found = await violationQuarterCounts(tx, unitsTouched(parts.moved.map((m) => m.side), HOUR_MS), filters);
  const q = quartersMovedAcross(found, parts.moved);
  return bucketedViolations(tx, filters, bucket, Prisma.join([quarterViolations(q), hourlyAndRaw(parts, filters)], ' UNION ALL '));
}

/**
 * Violations (a relation of ts, decision, n) per bucket of the filters' zone, added to
 * buckets already summed, empty buckets left out.
 */
async function bucketedViolations(
  db: PrismaClient | Prisma.TransactionClient,
  filters: Filters,
  bucket: Bucket,
  counts: Prisma.Sql,
  summed = new Map<number, BucketSums>(),
): Promise<ViolationPoint[]> {
  const unit = Prisma.raw(`'${bucket}'`); // from a closed enum
  const rows = await db.$queryRaw<{ bucket: Date; allowed: bigint; blocked: bigint }[]>`
    SELECT date_trunc(${unit}, ts AT TIME ZONE ${filters.tz}) AT TIME ZONE ${filters.tz} AS bucket,
           coalesce(sum(n) FILTER (WHERE decision = 'allowed'), 0)::bigint AS allowed, coalesce(sum(n) FILTER (WHERE decision = 'blocked'), 0)::bigint AS blocked
      FROM (${counts}) c GROUP BY 1 HAVING sum(n) > 0 ORDER BY 1`;
  const sums = rows.map((r) => ({ bucket: r.bucket.getTime(), allowed: Number(r.allowed), blocked: Number(r.blocked) }));
  return withBucketSums(sums, summed).map((b) => ({ bucket: new Date(b.bucket).toISOString(), allowedUnsupported: b.allowed, blockedSupported: b.blocked }));
}

export interface ViolationRecord {
  decisionId: string;
  occurredAt: string;
  requestId: string;
  accountId: string;
  accountName: string | null;
  callerRegion: string;
  provider: string;
  channel: string;
  decision: 'allowed' | 'blocked';
  reason: string | null;
  policyId: number;
  policyStatus: PolicyStatus;
  /** null: the provider-wide version. */
  policyChannel: string | null;
  policyFrom: string;
  policyTo: string | null;
  policyNote: string | null;
}

/** The violating decisions with the policy each contradicts, newest first. */
const ofAccount = (accountId?: string) => (accountId === undefined ? [] : [Prisma.sql`account_id = ${accountId}`]);

export function violationListSql(filters: Filters, options: { accountId?: string; page?: { page: number; pageSize: number } } = {}): Prisma.Sql {
  return Prisma.sql`
    SELECT v.decision_id::text AS "decisionId", to_char(v.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "occurredAt",
           d.request_id AS "requestId", v.account_id AS "accountId", d.account_name AS "accountName",
           trim(v.caller_region) AS "callerRegion", v.provider, v.channel, v.decision::text AS decision, d.reason,
           p.id AS "policyId", p.status::text AS "policyStatus", p.channel AS "policyChannel",
           to_char(p.effective_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "policyFrom",
           to_char(p.effective_to AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "policyTo", p.note AS "policyNote"
      FROM (SELECT * FROM (${violationsIn(filters, filters, ofAccount(options.accountId))}) v
             ORDER BY v.occurred_at DESC, v.decision_id DESC
             ${options.page ? Prisma.sql`LIMIT ${options.page.pageSize} OFFSET ${(options.page.page - 1) * options.page.pageSize}` : Prisma.empty}) v
      -- The page is cut before the joins: joined first, the planner (misjudging the range's
      -- violations) fetched the decision of every violation in range before sorting
      -- (1.6 s for 90 days at 10M rows).
      JOIN access_decisions d ON d.id = v.decision_id
      JOIN region_policies p ON p.id = v.policy_id
     ORDER BY v.occurred_at DESC, v.decision_id DESC`;
}

export async function violationList(
  prisma: PrismaClient,
  filters: Filters,
  options: { accountId?: string; page: number; pageSize: number; summary?: Promise<ViolationSummary> },
): Promise<{ rows: ViolationRecord[]; total: number }> {
  // The total is the headline's: taken from it where the caller has it (one count for both,
  // not read twice), else counted as it is (the vectors, or the running rows and the
  // edges' violations); one account's violations are few enough to count.
  const total = options.accountId !== undefined
    ? prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM (${violationsIn(filters, filters, ofAccount(options.accountId))}) v`.then(([c]) => Number(c!.n))
    : options.summary
      ? options.summary.then((s) => s.current.total)
      : byEveryRoute(filters)
        ? counts(prisma, filters, filters).then((c) => c.total)
        : prisma.$queryRaw<{ n: bigint | null }[]>`SELECT sum(a + b)::bigint AS n FROM (${routeViolationsSql(filters, filters)}) r`.then(([c]) => Number(c!.n ?? 0));
  const [rows, count] = await Promise.all([
    prisma.$queryRaw<ViolationRecord[]>(violationListSql(filters, { accountId: options.accountId, page: options })),
    total,
  ]);
  return { rows, total: count };
}
