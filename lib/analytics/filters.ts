import { z } from 'zod';

// One filter schema for pages, API routes and exports, so the same URL gives the same
// numbers everywhere. Parameter names: from, to (ISO 8601), range (preset), region,
// provider, channel, decision (repeated or comma-separated) and not_<name> to exclude.

export const RANGE_PRESETS = {
  '24h': 24 * 3_600_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
  '90d': 90 * 86_400_000,
} as const;
export type RangePreset = keyof typeof RANGE_PRESETS;
export const DEFAULT_RANGE: RangePreset = '30d';

export const DIMENSIONS = ['region', 'provider', 'channel', 'decision'] as const;

/** What breakdowns may group by (the rollups carry all of them). */
export const GROUP_BYS = ['region', 'provider', 'channel', 'reason', 'model'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];
export const GroupBySchema = z.enum(GROUP_BYS);

export const BUCKETS = ['hour', 'day', 'week'] as const;
export type Bucket = (typeof BUCKETS)[number];
export const BucketSchema = z.enum(BUCKETS);

/** The bucket a range calls for when none is chosen: about 24 to 200 points. */
export function defaultBucket(from: Date, to: Date): Bucket {
  const days = (to.getTime() - from.getTime()) / 86_400_000;
  return days <= 3 ? 'hour' : days <= 120 ? 'day' : 'week';
}
export type Dimension = (typeof DIMENSIONS)[number];

export interface DimensionFilter {
  include: string[];
  exclude: string[];
}

export interface Filters {
  /** IANA time zone for display and for day/week buckets; 'UTC' unless chosen. */
  tz: string;
  /** The preset the range came from, or null for a custom from/to. */
  range: RangePreset | null;
  from: Date;
  to: Date;
  region: DimensionFilter;
  provider: DimensionFilter;
  channel: DimensionFilter;
  decision: DimensionFilter;
}

/** The dimensions (of those given) that the filters include or exclude values of. */
export function constrainedDimensions<D extends Dimension>(filters: Filters, among: readonly D[]): D[] {
  return among.filter((d) => filters[d].include.length > 0 || filters[d].exclude.length > 0);
}

export type SearchParamsInput = URLSearchParams | Record<string, string | string[] | undefined>;

function values(params: SearchParamsInput, name: string): string[] {
  const raw =
    params instanceof URLSearchParams
      ? params.getAll(name)
      : ([] as string[]).concat(params[name] ?? []);
  return [...new Set(raw.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean))];
}

const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'is not a valid slug');
const VALUE_SCHEMAS: Record<Dimension, z.ZodType<string>> = {
  region: z.string().regex(/^[A-Za-z]{2}$/, 'is not a two-letter region code').transform((v) => v.toUpperCase()),
  provider: slug,
  channel: slug,
  decision: z.enum(['allowed', 'blocked']),
};

export class FilterError extends Error {}

const isoDate = z.iso.datetime({ offset: true, local: true }).or(z.iso.date());

/** An instant from a URL or form: ISO 8601; a bare date or a time without offset is UTC. Throws FilterError. */
export function parseInstant(name: string, rawInput: string): Date {
  // An unencoded "+08:00" in a query string arrives as " 08:00".
  const raw = rawInput.replace(/ (\d{2}:?\d{2})$/, '+$1');
  if (!isoDate.safeParse(raw).success) throw new FilterError(`${name} "${raw}" is not an ISO 8601 date or time`);
  // A bare date or a time without offset is UTC, as in the log format.
  const withZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(raw) ? raw : raw.length === 10 ? `${raw}T00:00:00Z` : `${raw}Z`;
  const date = new Date(withZone);
  if (Number.isNaN(date.getTime())) throw new FilterError(`${name} "${raw}" is not a valid date`);
  return date;
}

export function parseFilters(params: SearchParamsInput, now: Date = new Date(), defaultRange: RangePreset = DEFAULT_RANGE): Filters {
  const dimension = (name: Dimension): DimensionFilter => {
    const parse = (key: string) =>
      values(params, key).map((v) => {
        const parsed = VALUE_SCHEMAS[name].safeParse(name === 'decision' ? v.toLowerCase() : v);
        if (!parsed.success) throw new FilterError(`${key} "${v}" ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
        return parsed.data;
      });
    return { include: parse(name), exclude: parse(`not_${name}`) };
  };

  const fromRaw = values(params, 'from')[0];
  const toRaw = values(params, 'to')[0];
  const rangeRaw = values(params, 'range')[0];
  let range: RangePreset | null = null;
  let from: Date;
  let to: Date;
  if (fromRaw || toRaw) {
    to = toRaw ? parseInstant('to', toRaw) : now;
    from = fromRaw ? parseInstant('from', fromRaw) : new Date(to.getTime() - RANGE_PRESETS[defaultRange]);
    if (from >= to) throw new FilterError('from must be before to');
  } else {
    if (rangeRaw !== undefined && !(rangeRaw in RANGE_PRESETS)) {
      throw new FilterError(`range "${rangeRaw}" is not one of ${Object.keys(RANGE_PRESETS).join(', ')}`);
    }
    range = (rangeRaw as RangePreset | undefined) ?? defaultRange;
    to = now;
    from = new Date(now.getTime() - RANGE_PRESETS[range]);
  }
  const tzRaw = values(params, 'tz')[0] ?? 'UTC';
  if (!isTimeZone(tzRaw)) throw new FilterError(`tz "${tzRaw}" is not an IANA time zone such as UTC or Asia/Shanghai`);
  return {
    tz: tzRaw,
    range,
    from,
    to,
    region: dimension('region'),
    provider: dimension('provider'),
    channel: dimension('channel'),
    decision: dimension('decision'),
  };
}

/** Zones found valid: building a DateTimeFormat to check one costs ~1 ms, on every request. */
const knownTimeZones = new Set<string>(['UTC']);

export function isTimeZone(tz: string): boolean {
  if (knownTimeZones.has(tz)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    return false;
  }
  // Bounded: Intl accepts any letter case, so valid spellings alone are unbounded.
  if (knownTimeZones.size < 1000) knownTimeZones.add(tz);
  return true;
}

/** The URL form of filters: presets stay relative, so a shared "last 7 days" link stays so. */
export function filtersToSearchParams(filters: Filters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.range) {
    if (filters.range !== DEFAULT_RANGE) params.set('range', filters.range);
  } else {
    params.set('from', filters.from.toISOString());
    params.set('to', filters.to.toISOString());
  }
  if (filters.tz !== 'UTC') params.set('tz', filters.tz);
  for (const name of DIMENSIONS) {
    const f = filters[name];
    if (f.include.length) params.set(name, f.include.join(','));
    if (f.exclude.length) params.set(`not_${name}`, f.exclude.join(','));
  }
  return params;
}
