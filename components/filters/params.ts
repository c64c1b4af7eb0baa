// The URL is the single source of view state. These helpers compute the links that
// change it, for client components (from useSearchParams) and server pages alike.

/** URL parameters that make up the global filter bar (see lib/analytics/filters.ts). */
export const FILTER_PARAM_NAMES = [
  'range', 'from', 'to', 'tz',
  'region', 'provider', 'channel', 'decision',
  'not_region', 'not_provider', 'not_channel', 'not_decision',
] as const;

/** Filterable dimensions, in the filter bar's order. */
export const FILTER_DIMENSIONS = ['region', 'provider', 'channel', 'decision'] as const;
export type FilterDimension = (typeof FILTER_DIMENSIONS)[number];

export const DIMENSION_LABEL: Record<FilterDimension, string> = {
  region: 'Region', provider: 'Provider', channel: 'Channel', decision: 'Decision',
};

export function isFilterDimension(name: string): name is FilterDimension {
  return (FILTER_DIMENSIONS as readonly string[]).includes(name);
}

/** Parameters that point into one page of results: any change of what is shown resets them. */
export const POSITION_PARAM_NAMES = ['page', 'cursor', 'trail', 'open'] as const;

export type ParamsRecord = Record<string, string | string[] | undefined>;

export function toSearchParams(input: ParamsRecord | URLSearchParams): URLSearchParams {
  if (input instanceof URLSearchParams) return new URLSearchParams(input);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(input)) {
    for (const v of ([] as string[]).concat(value ?? [])) params.append(key, v);
  }
  return params;
}

/** The values of a comma-separated or repeated parameter. */
export function listParam(params: URLSearchParams, name: string): string[] {
  return [...new Set(params.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean))];
}

function setList(params: URLSearchParams, name: string, values: string[]) {
  params.delete(name);
  if (values.length) params.set(name, values.join(','));
}

function normalise(dimension: FilterDimension, value: string): string {
  return dimension === 'region' ? value.toUpperCase() : value;
}

export function href(pathname: string, params: URLSearchParams): string {
  const query = params.toString();
  return query ? `${pathname}?${query}` : pathname;
}

/** Changes parameters (null removes) and drops the position in the results. */
export function withParams(params: URLSearchParams, changes: Record<string, string | null>, keepPosition = false): URLSearchParams {
  const next = new URLSearchParams(params);
  if (!keepPosition) for (const name of POSITION_PARAM_NAMES) next.delete(name);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === '') next.delete(key);
    else next.set(key, value);
  }
  return next;
}

export interface FilterTarget {
  dimension: FilterDimension;
  value: string;
}

/**
 * "Only" narrows the dimension to this value; "exclude" adds it to the dimension's
 * exclusions. Either way the value leaves the other list.
 */
export function withFilter(params: URLSearchParams, targets: FilterTarget[], mode: 'only' | 'exclude'): URLSearchParams {
  const next = withParams(params, {});
  for (const { dimension, value: raw } of targets) {
    const value = normalise(dimension, raw);
    const include = listParam(next, dimension).filter((v) => v !== value);
    const exclude = listParam(next, `not_${dimension}`).filter((v) => v !== value);
    if (mode === 'only') {
      setList(next, dimension, [value]);
      setList(next, `not_${dimension}`, exclude);
    } else {
      setList(next, dimension, include);
      setList(next, `not_${dimension}`, [...exclude, value]);
    }
  }
  return next;
}

/** Sets one dimension's include and exclude lists. */
export function withDimension(params: URLSearchParams, dimension: FilterDimension, include: string[], exclude: string[]): URLSearchParams {
  const next = withParams(params, {});
  setList(next, dimension, include);
  setList(next, `not_${dimension}`, exclude);
  return next;
}

/** Only the global filters (what moves with the user from view to view). */
export function filterParams(params: URLSearchParams): URLSearchParams {
  const carried = new URLSearchParams();
  for (const name of FILTER_PARAM_NAMES) for (const v of params.getAll(name)) carried.append(name, v);
  return carried;
}

/**
 * Clears every filter but keeps the time zone (a display choice) and the view's own
 * settings such as group-by or chart; the position in the results starts over.
 */
export function withoutFilters(params: URLSearchParams): URLSearchParams {
  const next = withParams(params, {});
  for (const name of FILTER_PARAM_NAMES) if (name !== 'tz') next.delete(name);
  return next;
}

/** Whether any filter narrows the data (the time zone and the default range do not). */
export function hasActiveFilters(params: URLSearchParams): boolean {
  return FILTER_PARAM_NAMES.some((name) => name !== 'tz' && params.has(name));
}
