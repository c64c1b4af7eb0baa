import type { GroupBy } from '@/lib/analytics/filters';

/** Names of the group-by dimensions as headings show them. */
export const GROUP_LABEL: Record<GroupBy, string> = { region: 'Region', provider: 'Provider', channel: 'Channel', reason: 'Reason', model: 'Model' };

/** The bucket choices of time charts. */
export const BUCKET_OPTIONS = [{ value: 'hour', label: 'hour' }, { value: 'day', label: 'day' }, { value: 'week', label: 'week' }];

/** The chart choices: counts or block rate. */
export const CHART_OPTIONS = [{ value: 'counts', label: 'Counts' }, { value: 'rate', label: 'Block rate' }];
