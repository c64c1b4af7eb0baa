import type { Metadata } from 'next';
import { Suspense } from 'react';

import { bucketStarts, fillBuckets } from '@/components/analytics/buckets';
import { formatRange } from '@/components/analytics/format';
import { HeadlineStats } from '@/components/analytics/HeadlineStats';
import { ViolationStats } from '@/components/analytics/ViolationStats';
import { BUCKET_OPTIONS, CHART_OPTIONS } from '@/components/analytics/labels';
import { ParamSelect, ParamToggle } from '@/components/analytics/ParamControls';
import { BadUrlState, CardSkeleton, NoDataState, NoMatchState } from '@/components/analytics/states';
import { DecisionSeriesChart } from '@/components/charts/DecisionSeriesChart';
import { DimensionBarChart } from '@/components/charts/DimensionBarChart';
import { RegionChannelMatrix } from '@/components/charts/RegionChannelMatrix';
import { filterParams, href, toSearchParams, withoutFilters, withParams } from '@/components/filters/params';
import { ExportLink } from '@/components/export/ExportLink';
import { PageTitle } from '@/components/ui/EmptyState';
import { breakdown, type BreakdownRow } from '@/lib/analytics/breakdown';
import { afterMain } from '@/lib/analytics/query-order';
import { hasAnyDecisions } from '@/lib/analytics/catalog';
import { type Bucket, defaultBucket, type Filters, parseFilters, type SearchParamsInput } from '@/lib/analytics/filters';
import { type PolicyMarker, policyMarkers } from '@/lib/analytics/policy-markers';
import { summary, type Summary } from '@/lib/analytics/summary';
import { type SeriesPoint, timeSeries } from '@/lib/analytics/time-series';
import { violationSummary, type ViolationSummary } from '@/lib/analytics/violations';
import { type ChartKind, parseBucket, parseChartKind, parseView } from '@/lib/analytics/view-params';
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
  // The headline and the series chart are the view's main content, in the first response:
  // React reveals a streamed boundary no sooner than 300 ms after the first paint, and a
  // second batch 300 ms after the first (see the README's "Loading states only where they
  // pay"), which put the chart at 350-700 ms at 10M rows when its queries take ~60. Their
  // queries start now; the other panels' once they are done (afterMain), and stream in.
  const main = { totals: summary(db, filters), series: timeSeries(db, filters, bucket), markers: policyMarkers(db, filters) };
  const first = Object.values(main);
  const data = {
    ...main,
    violations: afterMain(first, () => violationSummary(db, filters)),
    regions: afterMain(first, () => breakdown(db, filters, 'region')),
    providers: afterMain(first, () => breakdown(db, filters, 'provider')),
    channels: afterMain(first, () => breakdown(db, filters, 'channel')),
    matrix: afterMain(first, () => breakdown(db, filters, 'region', 'channel')),
  };
  // A panel that is never rendered (an empty range) must not leave a rejection unobserved.
  for (const promise of Object.values(data)) (promise as Promise<unknown>).catch(() => undefined);
  const [totals, series, markers] = await Promise.all([data.totals, data.series, data.markers]);
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
  const resetHref = href('/overview', withoutFilters(toSearchParams(params)));
  return (
    <>
      {title}
      <div className="space-y-6">
        <Headline totals={totals} resetHref={resetHref} previousTo={filters.from.toISOString()} tz={tz} />
        <Suspense fallback={<CardSkeleton className="h-32" />}>
          <Violations summary={data.violations} href={href('/violations', filterQuery)} />
        </Suspense>
        <Series series={series} markers={markers} filters={filters} bucket={bucket} chart={chart} />
        <Suspense fallback={<div className="grid gap-6 lg:grid-cols-2 xl:grid-cols-3"><CardSkeleton className="h-64" /><CardSkeleton className="h-64" /><CardSkeleton className="h-64" /></div>}>
          <Dimensions regions={data.regions} providers={data.providers} channels={data.channels} />
        </Suspense>
        <Suspense fallback={<CardSkeleton className="h-96" />}>
          <Matrix matrix={data.matrix} />
        </Suspense>
      </div>
    </>
  );
}

async function Headline({ totals: t, resetHref, previousTo, tz }: { totals: Summary; resetHref: string; previousTo: string; tz: string }) {
  if (t.current.decisions === 0) {
    return (await hasAnyDecisions(prisma())) ? <NoMatchState resetHref={resetHref} /> : <NoDataState />;
  }
  return <HeadlineStats current={t.current} previous={t.previous} previousFrom={t.previousFrom.toISOString()} previousTo={previousTo} tz={tz} coverage={t.coverage} />;
}

async function Violations({ summary: s, href: link }: { summary: Promise<ViolationSummary>; href: string }) {
  return <ViolationStats summary={await s} href={link} />;
}

function Series({ series, markers, filters, bucket, chart }: {
  series: SeriesPoint[];
  markers: PolicyMarker[];
  filters: Filters;
  bucket: Bucket;
  chart: ChartKind;
}) {
  const { tz } = filters;
  const points = fillBuckets(series, bucketStarts(filters.from, filters.to, bucket, tz), (b) => ({ bucket: b, allowed: 0, blocked: 0, total: 0 }));
  return (
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
  );
}

async function Dimensions({ regions, providers, channels }: { regions: Promise<BreakdownRow[]>; providers: Promise<BreakdownRow[]>; channels: Promise<BreakdownRow[]> }) {
  const [r, p, c] = await Promise.all([regions, providers, channels]);
  return (
    <div className="grid gap-6 lg:grid-cols-2 xl:grid-cols-3">
      <DimensionBarChart dimension="region" rows={r} />
      <DimensionBarChart dimension="provider" rows={p} />
      <DimensionBarChart dimension="channel" rows={c} />
    </div>
  );
}

async function Matrix({ matrix }: { matrix: Promise<BreakdownRow[]> }) {
  const rows = await matrix;
  return <RegionChannelMatrix cells={rows.map((r) => ({ region: r.key, channel: r.key2 ?? '', allowed: r.allowed, blocked: r.blocked, total: r.total, blockRate: r.blockRate }))} />;
}
