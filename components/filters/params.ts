/** URL parameters that make up the global filter bar (see lib/analytics/filters.ts). */
export const FILTER_PARAM_NAMES = [
  'range', 'from', 'to',
  'region', 'provider', 'channel', 'decision',
  'not_region', 'not_provider', 'not_channel', 'not_decision',
] as const;
