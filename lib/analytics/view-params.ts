import { z } from 'zod';

import { BucketSchema, defaultBucket, FilterError, GroupBySchema, type Bucket, type Filters, type GroupBy, type SearchParamsInput } from './filters';

// The view-specific URL parameters (next to the global filters of filters.ts): group-by,
// bucket, chart choice, search, keyset cursor. A bad value is a FilterError, which the
// pages show as a message about the URL rather than a crash.

function one(params: SearchParamsInput, name: string): string | undefined {
  const raw = params instanceof URLSearchParams ? params.get(name) : ([] as string[]).concat(params[name] ?? [])[0];
  const value = raw?.trim();
  return value ? value : undefined;
}

function oneOf<T extends string>(params: SearchParamsInput, name: string, schema: z.ZodType<T>, what: string): T | undefined {
  const raw = one(params, name);
  if (raw === undefined) return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new FilterError(`${name} "${raw}" is not ${what}`);
  return parsed.data;
}

/** `bucket`, or the one the range calls for. */
export function parseBucket(params: SearchParamsInput, filters: Pick<Filters, 'from' | 'to'>): Bucket {
  return oneOf(params, 'bucket', BucketSchema, 'one of hour, day, week') ?? defaultBucket(filters.from, filters.to);
}

/** `by` (default region) and an optional second grouping `by2`. */
export function parseGroupBy(params: SearchParamsInput, fallback: GroupBy = 'region'): { by: GroupBy; by2: GroupBy | null } {
  const what = 'one of region, provider, channel, reason, model';
  const by = oneOf(params, 'by', GroupBySchema, what) ?? fallback;
  const by2 = oneOf(params, 'by2', GroupBySchema, what) ?? null;
  return { by, by2: by2 === by ? null : by2 };
}

export const CHART_KINDS = ['counts', 'rate'] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

/** `chart`: allowed and blocked counts (default) or the block rate. */
export function parseChartKind(params: SearchParamsInput): ChartKind {
  return oneOf(params, 'chart', z.enum(CHART_KINDS), 'one of counts, rate') ?? 'counts';
}

/** `q`: the accounts search. */
export function parseSearch(params: SearchParamsInput): string {
  const q = one(params, 'q') ?? '';
  if (q.length > 200) throw new FilterError('q is longer than 200 characters');
  return q;
}

const CURSOR = /^[A-Za-z0-9_-]{8,200}$/;

function checkCursor(cursor: string): string {
  const text = CURSOR.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const [at, id] = text.split('|');
  if (!at || !id || !/^\d+$/.test(id) || Number.isNaN(Date.parse(at))) {
    throw new FilterError('cursor is not a page of this log: start again from the newest decisions');
  }
  return cursor;
}

/**
 * Keyset position in a decision log: `cursor` (where this page starts) and `trail`
 * (the cursors of the pages before it, so "Newer" needs no backwards query).
 */
export function parseKeyset(params: SearchParamsInput): { cursor: string | null; trail: string[] } {
  const cursor = one(params, 'cursor');
  const trailRaw = one(params, 'trail');
  const trail = trailRaw ? trailRaw.split(',').filter(Boolean).slice(-100).map(checkCursor) : [];
  return { cursor: cursor ? checkCursor(cursor) : null, trail };
}

/** `request`: look a decision up by its request id. */
export function parseRequestLookup(params: SearchParamsInput): string | null {
  const id = one(params, 'request');
  if (id !== undefined && id.length > 128) throw new FilterError('request is longer than 128 characters');
  return id ?? null;
}

/** `open`: the decision shown in the detail drawer. */
export function parseOpenDecision(params: SearchParamsInput): string | null {
  const id = one(params, 'open');
  if (id !== undefined && !/^\d{1,19}$/.test(id)) throw new FilterError(`open "${id}" is not a decision id`);
  return id ?? null;
}

export type ViewParse<T> = { ok: true; view: T } | { ok: false; message: string };

/** Runs a page's URL parsing; a FilterError becomes a message to show, anything else throws. */
export function parseView<T>(parse: () => T): ViewParse<T> {
  try {
    return { ok: true, view: parse() };
  } catch (error) {
    if (error instanceof FilterError) return { ok: false, message: error.message };
    throw error;
  }
}

/**
 * The account id of /accounts/[id]. The app router hands dynamic segments over still
 * percent-encoded (ids may hold spaces, slashes or %), so decode once; a segment that is
 * not valid percent-encoding is taken as it is.
 */
export function accountIdFromSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
