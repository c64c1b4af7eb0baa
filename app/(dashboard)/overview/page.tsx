import type { Metadata } from 'next';

import { bucketStarts, fillBuckets } from '@/components/analytics/buckets';
import { formatRange } from '@/components/analytics/format';
import { HeadlineStats } from '@/components/analytics/HeadlineStats';
import { ViolationStats } from '@/components/analytics/ViolationStats';
import { BUCKET_OPTIONS, CHART_OPTIONS } from '@/components/analytics/labels';
import { ParamSelect, ParamToggle } from '@/components/analytics/ParamControls';
import { BadUrlState, NoDataState, NoMatchState } from '@/components/analytics/states';
import { DecisionSeriesChart } from '@/components/charts/DecisionSeriesChart';
import { DimensionBarChart } from '@/components/charts/DimensionBarChart';
import { RegionChannelMatrix } from '@/components/charts/RegionChannelMatrix';
import { filterParams, href, toSearchParams, withoutFilters, withParams } from '@/components/filters/params';
import { ExportLink } from '@/components/export/ExportLink';
import { PageTitle } from '@/components/ui/EmptyState';
import { breakdown } from '@/lib/analytics/breakdown';
import { hasAnyDecisions } from '@/lib/analytics/catalog';
import { defaultBucket, parseFilters, type SearchParamsInput } from '@/lib/analytics/filters';
import { policyMarkers } from '@/lib/analytics/policy-markers';
import { summary } from '@/lib/analytics/summary';
import { timeSeries } from '@/lib/analytics/time-series';
import { violationSummary } from '@/lib/analytics/violations';
import { parseBucket, parseChartKind, parseView } from '@/lib/analytics/view-params';
import { requirePage } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('/overview');
  const params = await searchParams;
  const parsed = parseView(() => {
    const filters = parseFilters(params as SearchParamsInput);
    return { filters, bucket: parseBucket(params, filters), chart: parseChartKind(params) };
  });
  if (!parsed.ok) {
    return (<><PageTitle title="Overview" /><BadUrlState message={parsed.message} resetHref="/overview" /></>);
  }
  const { filters, bucket, chart } = parsed.view;
  const { tz } = filters;
  const db = prisma();
  const [totals, violations, series, markers, regions, providers, channels, matrix] = await Promise.all([
    summary(db, filters),
    violationSummary(db, filters),
    timeSeries(db, filters, bucket),
    policyMarkers(db, filters),
    breakdown(db, filters, 'region'),
    breakdown(db, filters, 'provider'),
    breakdown(db, filters, 'channel'),
    breakdown(db, filters, 'region', 'channel'),
  ]);
  const filterQuery = filterParams(toSearchParams(params));
  const exports = (
    <span className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-500">
      <span>Export CSV:</span>
      <ExportLink excel={false} view="timeseries" label="Series" params={withParams(filterQuery, { bucket })} />
      <ExportLink excel={false} view="breakdown" label="Regions" params={withParams(filterQuery, { by: 'region' })} />
      <ExportLink excel={false} view="breakdown" label="Providers" params={withParams(filterQuery, { by: 'provider' })} />
      <ExportLink excel={false} view="breakdown" label="Channels" params={withParams(filterQuery, { by: 'channel' })} />
      <ExportLink excel={false} view="breakdown" label="Region × channel" params={withParams(filterQuery, { by: 'region', by2: 'channel' })} />
    </span>
  );
  const title = <PageTitle title="Overview" subtitle={<span data-testid="range-label">{formatRange(filters.from, filters.to, tz)}</span>} actions={exports} />;
  if (totals.current.decisions === 0) {
    return (
      <>
        {title}
        {(await hasAnyDecisions(db)) ? <NoMatchState resetHref={href('/overview', withoutFilters(toSearchParams(params)))} /> : <NoDataState />}
      </>
    );
  }
  const points = fillBuckets(series, bucketStarts(filters.from, filters.to, bucket, tz), (b) => ({ bucket: b, allowed: 0, blocked: 0, total: 0 }));
  return (
    <>
      {title}
      <div className="space-y-6">
        <HeadlineStats current={totals.current} previous={totals.previous} previousFrom={totals.previousFrom.toISOString()}
          previousTo={filters.from.toISOString()} tz={tz} coverage={totals.coverage} />
        <ViolationStats summary={violations} href={href('/violations', filterQuery)} />
        <DecisionSeriesChart
          points={points.map(({ bucket: b, allowed, blocked }) => ({ bucket: b, allowed, blocked }))}
          bucket={bucket}
          tz={tz}
          markers={markers}
          kind={chart}
          controls={(
            <>
              <ParamSelect name="bucket" label="Per" value={bucket} defaultValue={defaultBucket(filters.from, filters.to)} options={BUCKET_OPTIONS} />
              <ParamToggle name="chart" label="Chart shows" value={chart} defaultValue="counts" options={CHART_OPTIONS} />
            </>
          )}
        />
        <div className="grid gap-6 lg:grid-cols-2 xl:grid-cols-3">
          <DimensionBarChart dimension="region" rows={regions} />
          <DimensionBarChart dimension="provider" rows={providers} />
          <DimensionBarChart dimension="channel" rows={channels} />
        </div>
        <RegionChannelMatrix cells={matrix.map((r) => ({ region: r.key, channel: r.key2 ?? '', allowed: r.allowed, blocked: r.blocked, total: r.total, blockRate: r.blockRate }))} />
      </div>
    </>
  );
}
