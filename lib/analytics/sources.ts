import { Prisma } from '@/lib/generated/prisma/client';
import { accountDailySelects } from '@/lib/rollups/account-running-monthly';
import { dailyCountsSelect, hourlyCountsSelect } from '@/lib/rollups/decision-counts';
import type { QuarterCounts } from '@/lib/rollups/region-route-quarters';

import { rawSpanWhere } from './filter-sql';
import type { Filters } from './filters';
import { dayParts, hasWholeHourOffsets, localDayStarts, localHourStart, monthDays, type Placement, rangeParts, type Span, splitAtStart, zoneDayParts } from './range';

// The counts behind every dashboard number, as one SQL relation
//   (ts timestamptz, caller_region, provider, channel, decision, reason, model, n)
// assembled from the coarsest tables that answer the range exactly (see range.ts): whole
// days and hours from the decision counts (lib/rollups/decision-counts.ts), the rest from
// raw rows.

function rawSelect(s: Span, filters: Filters): Prisma.Sql {
  return Prisma.sql`SELECT occurred_at AS ts, caller_region, provider, channel, decision,
      coalesce(reason, '') AS reason, coalesce(model, '') AS model, 1::bigint AS n
    FROM access_decisions WHERE ${rawSpanWhere(s, filters)}`;
}

export interface SourceOptions {
  /** Buckets will be computed in this zone: whole UTC days are only usable for UTC. */
  tz?: string;
  /** The finest bucket the caller groups by: hour buckets cannot come from daily counts. */
  finest?: 'hour' | 'day';
}

/** Decision counts for the filters' range and dimensions. */
export function decisionCounts(filters: Filters, options: SourceOptions = {}): Prisma.Sql {
  const tz = options.tz ?? 'UTC';
  if (!hasWholeHourOffsets(tz, filters.from, filters.to)) return splitZoneCounts(tz, filters, options.finest ?? 'day');
  const parts = rangeParts(filters.from, filters.to, tz === 'UTC' && options.finest !== 'hour');
  const selects: Prisma.Sql[] = [
    ...parts.daily.map((s) => dailyCountsSelect(s, filters)),
    ...parts.hourly.map((s) => hourlyCountsSelect(s, filters)),
    ...parts.raw.map((s) => rawSelect(s, filters)),
  ];
  return selects.length ? Prisma.join(selects, ' UNION ALL ') : Prisma.sql`SELECT NULL::timestamptz AS ts, NULL::char(2) AS caller_region,
      NULL::text AS provider, NULL::text AS channel, NULL::"Decision" AS decision, ''::text AS reason, ''::text AS model, 0::bigint AS n WHERE false`;
}

/**
 * Counts for buckets that follow a zone with offsets such as +05:30 (see zoneDayParts), for
 * a range where they are not all quarter hours (time-series.ts otherwise takes the hours
 * such a zone splits from quarter hour counts): hour buckets there straddle two UTC hours
 * and come from raw rows alone.
 */
function splitZoneCounts(tz: string, filters: Filters, finest: 'hour' | 'day'): Prisma.Sql {
  if (finest === 'hour') return rawSelect({ from: filters.from, to: filters.to }, filters);
  const parts = zoneDayParts(tz, filters.from, filters.to);
  const at = placedAt(parts.placed, Prisma.sql`h.ts`);
  return Prisma.join([
    ...parts.raw.map((s) => rawSelect(s, filters)),
    ...parts.moved.map(({ side, place }) => Prisma.sql`
      SELECT x.ts, caller_region, provider, channel, decision, coalesce(reason, '') AS reason, coalesce(model, '') AS model, x.n
        FROM access_decisions ${movedAcross(Prisma.sql`occurred_at`, place)}
       WHERE ${rawSpanWhere(side, filters)}`),
    ...parts.hourly.map((s) => Prisma.sql`SELECT ${at.ts} AS ts, h.caller_region, h.provider, h.channel, h.decision, h.reason, h.model, h.n
          FROM (${hourlyCountsSelect(s, filters)}) h ${at.join}`),
  ], ' UNION ALL ');
}

/**
 * A row moved across a local date's start (see splitAtStart): counted at its own instant
 * `ts` and taken off at `place`, as the relation x (ts, n).
 */
export const movedAcross = (ts: Prisma.Sql, place: Date): Prisma.Sql =>
  Prisma.sql`CROSS JOIN LATERAL (VALUES (${ts}, 1::bigint), (${place}::timestamptz, -1::bigint)) x (ts, n)`;

/**
 * Quarter hour counts (region-route-quarters.ts) as movedAcross moves raw rows: those in a
 * moved side counted at their own instants, each side's total taken off at its place; and
 * those in an `own` span (hours whose quarters stand in for their hourly counts) at their
 * own instants. The rest of `found` is left out: its hours' counts come from elsewhere.
 */
export function quartersMovedAcross(found: QuarterCounts, moved: { side: Span; place: Date }[], own: Span[] = []): QuarterCounts {
  // The index of the span holding t, by binary search over spans that do not overlap (-1: none).
  const inside = (spans: Span[]) => {
    const order = spans.map((_, i) => i).sort((a, b) => spans[a]!.from.getTime() - spans[b]!.from.getTime());
    return (t: number) => {
      let lo = 0;
      let hi = order.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (spans[order[mid]!]!.from.getTime() <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo > 0 && t < spans[order[lo - 1]!]!.to.getTime() ? order[lo - 1]! : -1;
    };
  };
  const movedAt = inside(moved.map((m) => m.side));
  const ownAt = inside(own);
  const out: QuarterCounts = { at: [], allowed: [], blocked: [] };
  const takenOff = new Map<number, { allowed: number; blocked: number }>();
  found.at.forEach((t, i) => {
    const m = movedAt(t);
    if (m < 0 && ownAt(t) < 0) return;
    const [allowed, blocked] = [found.allowed[i]!, found.blocked[i]!];
    out.at.push(t);
    out.allowed.push(allowed);
    out.blocked.push(blocked);
    if (m < 0) return;
    const place = moved[m]!.place.getTime();
    const off = takenOff.get(place) ?? { allowed: 0, blocked: 0 };
    off.allowed += allowed;
    off.blocked += blocked;
    takenOff.set(place, off);
  });
  for (const [t, off] of takenOff) {
    out.at.push(t);
    out.allowed.push(-off.allowed);
    out.blocked.push(-off.blocked);
  }
  return out;
}

/** Counts per bucket: the bucket's start (ms) and its allowed and blocked. */
export interface BucketSums {
  bucket: number;
  allowed: number;
  blocked: number;
}

/**
 * Quarter counts per hour of a zone whose offsets are whole quarter hours, summed here
 * where the local hour is plain (localHourStart); the quarters near an offset change are
 * left for SQL to bucket with the raw rows. 90 days in Kolkata time sent 8,640 quarters to
 * be converted twice each and summed as numerics (~13 ms of the statement).
 */
export function quartersByLocalHour(tz: string, q: QuarterCounts): { summed: Map<number, BucketSums>; rest: QuarterCounts } {
  const hourOf = localHourStart(tz);
  const summed = new Map<number, BucketSums>();
  const rest: QuarterCounts = { at: [], allowed: [], blocked: [] };
  q.at.forEach((t, i) => {
    const allowed = q.allowed[i]!;
    const blocked = q.blocked[i]!;
    const bucket = hourOf(t);
    if (bucket === null) {
      rest.at.push(t);
      rest.allowed.push(allowed);
      rest.blocked.push(blocked);
      return;
    }
    const sums = summed.get(bucket);
    if (sums) {
      sums.allowed += allowed;
      sums.blocked += blocked;
    } else summed.set(bucket, { bucket, allowed, blocked });
  });
  return { summed, rest };
}

/** Buckets summed in SQL and here, added together by bucket, in order, those with no decision left out. */
export function withBucketSums(rows: BucketSums[], summed: Map<number, BucketSums>): BucketSums[] {
  // SQL's rows come in order, without empty buckets: as they are, where nothing was summed here.
  if (summed.size === 0) return rows;
  const all = new Map(summed);
  for (const r of rows) {
    const sums = all.get(r.bucket);
    all.set(r.bucket, sums ? { bucket: r.bucket, allowed: sums.allowed + r.allowed, blocked: sums.blocked + r.blocked } : r);
  }
  return [...all.values()].filter((b) => b.allowed + b.blocked > 0).sort((a, b) => a.bucket - b.bucket);
}

/**
 * The instant a row of counts stored at `ts` is counted at: its placement's where `placed`
 * lists one (the expression `ts`, and the join that supplies it as p.place).
 */
export function placedAt(placed: Placement[], ts: Prisma.Sql): { ts: Prisma.Sql; join: Prisma.Sql } {
  if (!placed.length) return { ts, join: Prisma.empty };
  const rows = Prisma.join(placed.map((p) => Prisma.sql`(${p.at}::timestamptz, ${p.place}::timestamptz)`));
  return { ts: Prisma.sql`coalesce(p.place, ${ts})`, join: Prisma.sql`LEFT JOIN (VALUES ${rows}) p (at, place) ON p.at = ${ts}` };
}

/**
 * One account's counts (ts, account_id, caller_region, provider, channel, decision, n):
 * whole UTC days from the running monthly rows (lib/rollups/account-running-monthly.ts),
 * partial days at the edges from raw rows.
 */
export function accountCounts(filters: Filters, accountId: string): Prisma.Sql {
  const selects = accountDailySelects(filters, monthDays(filters.from, filters.to), accountId);
  for (const s of dayParts(filters.from, filters.to).raw) selects.push(accountRawSelect(s, filters, accountId));
  return selects.length ? Prisma.join(selects, ' UNION ALL ') : Prisma.sql`SELECT NULL::timestamptz AS ts, NULL::text AS account_id,
      NULL::char(2) AS caller_region, NULL::text AS provider, NULL::text AS channel, NULL::"Decision" AS decision, 0::bigint AS n WHERE false`;
}

/**
 * One account's counts for day or week buckets in a zone other than UTC. Its running rows
 * give whole UTC days, and a local date starts inside each: a UTC day's counts are placed on
 * the longer side of that start and the raw rows of the shorter side moved across (each
 * counted at its own instant and taken off at the placement, n = -1), so raw rows are at
 * most half a day in the zone's offset (Shanghai 8 hours, New York 5) instead of all of them.
 * A UTC day in which no checked local start falls, or two, is read from raw rows.
 */
export function accountZoneCounts(filters: Filters, accountId: string, tz: string): Prisma.Sql {
  const parts = dayParts(filters.from, filters.to);
  const selects = parts.raw.map((s) => accountRawSelect(s, filters, accountId));
  const whole = parts.daily[0];
  if (!whole) return Prisma.join(selects, ' UNION ALL ');
  const { starts, missed } = localDayStarts(tz, whole.from, whole.to);
  const byDay = new Map<number, Date[]>();
  for (const start of starts) {
    const day = Math.floor(start.getTime() / DAY_MS) * DAY_MS;
    byDay.set(day, [...(byDay.get(day) ?? []), start]);
  }
  const placed: Placement[] = [];
  const rawDays: Date[] = [];
  for (let day = whole.from.getTime(); day < whole.to.getTime(); day += DAY_MS) {
    const inDay = byDay.get(day) ?? [];
    const span = { from: new Date(day), to: new Date(day + DAY_MS) };
    if (inDay.length !== 1 || missed.includes(day)) {
      rawDays.push(span.from);
      selects.push(accountRawSelect(span, filters, accountId));
      continue;
    }
    const start = inDay[0]!;
    if (start.getTime() === day) continue; // the local date starts at the UTC midnight
    const { place, moved } = splitAtStart(span, start);
    if (place.getTime() !== day) placed.push({ at: span.from, place });
    selects.push(Prisma.sql`SELECT x.ts, account_id, caller_region, provider, channel, decision, x.n
        FROM access_decisions ${movedAcross(Prisma.sql`occurred_at`, place)}
       WHERE ${rawSpanWhere(moved, filters, [Prisma.sql`account_id = ${accountId}`])}`);
  }
  const daily = accountDailySelects(filters, monthDays(filters.from, filters.to), accountId);
  if (daily.length) {
    const at = placedAt(placed, Prisma.sql`s.ts`);
    selects.push(Prisma.sql`SELECT ${at.ts} AS ts, s.account_id, s.caller_region, s.provider, s.channel, s.decision, s.n
      FROM (${Prisma.join(daily, ' UNION ALL ')}) s ${at.join}
     ${rawDays.length ? Prisma.sql`WHERE s.ts <> ALL(${rawDays.map((d) => d.toISOString())}::timestamptz[])` : Prisma.empty}`);
  }
  return Prisma.join(selects, ' UNION ALL ');
}

const DAY_MS = 86_400_000;

/** One account's raw decisions in a span with the filters, as accountCounts' relation. */
export function accountRawSelect(s: Span, filters: Filters, accountId: string): Prisma.Sql {
  return Prisma.sql`SELECT occurred_at AS ts, account_id, caller_region, provider, channel, decision, 1::bigint AS n
      FROM access_decisions WHERE ${rawSpanWhere(s, filters, [Prisma.sql`account_id = ${accountId}`])}`;
}
