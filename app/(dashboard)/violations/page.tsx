import type { Metadata } from 'next';
import { AppLink } from '@/components/ui/AppLink';
import { Suspense } from 'react';

import { bucketStarts, fillBuckets } from '@/components/analytics/buckets';
import { formatCount, formatRange } from '@/components/analytics/format';
import { BadUrlState, CardSkeleton, Skeleton } from '@/components/analytics/states';
import { ViolationStats } from '@/components/analytics/ViolationStats';
import { ViolationSeriesChart } from '@/components/charts/ViolationSeriesChart';
import { ExportLink } from '@/components/export/ExportLink';
import { filterParams, href, toSearchParams, withParams } from '@/components/filters/params';
import { ViolationAccountsTable, ViolationListTable } from '@/components/tables/ViolationTables';
import { Card, PageTitle } from '@/components/ui/EmptyState';
import { type Bucket, type Filters, parseFilters, type SearchParamsInput } from '@/lib/analytics/filters';
import { afterMain } from '@/lib/analytics/query-order';
import { parseBucket, parseView } from '@/lib/analytics/view-params';
import { VIOLATION_ACCOUNT_SORTS, violationAccounts, type ViolationAccountRow } from '@/lib/analytics/violation-accounts';
import { violationList, type ViolationPoint, type ViolationRecord, violationSeries, violationSummary } from '@/lib/analytics/violations';
import { requirePage } from '@/lib/auth/request';
import { hasRole } from '@/lib/auth/roles';
import { prisma } from '@/lib/db/client';
import { parsePageParams } from '@/lib/pagination';

export const metadata: Metadata = { title: 'Violations' };

export default async function ViolationsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePage('/violations');
  const params = await searchParams;
  const analyst = hasRole(user.role, 'analyst');
  const showDecisions = analyst && params.show === 'decisions';
  const parsed = parseView(() => {
    const filters = parseFilters(params as SearchParamsInput);
    return { filters, bucket: parseBucket(params, filters), paging: parsePageParams(params, VIOLATION_ACCOUNT_SORTS, '-total', 50) };
  });
  if (!parsed.ok) return (<><PageTitle title="Violations" /><BadUrlState message={parsed.message} resetHref="/violations" /></>);
  const { filters, bucket, paging } = parsed.view;
  const db = prisma();
  // The headline's query starts now, the panels' once it is done (afterMain); each panel
  // streams in when its own is.
  const summary = violationSummary(db, filters);
  const data = {
    summary,
    series: afterMain([summary], () => violationSeries(db, filters, bucket)),
    accounts: showDecisions ? null : afterMain([summary], () => violationAccounts(db, filters, paging)),
    list: showDecisions ? afterMain([summary], () => violationList(db, filters, { page: paging.page, pageSize: paging.pageSize, summary })) : null,
  };
  for (const promise of Object.values(data)) promise?.catch(() => undefined);
  // The headline is the view's main content and its query the fastest (~35 ms at 10M rows):
  // in the first response rather than streamed, as React reveals a streamed boundary no
  // sooner than 300 ms after the first paint (see AppLink).
  const headline = await data.summary;
  const url = toSearchParams(params);
  const filterQuery = filterParams(url);
  const tab = (show: 'accounts' | 'decisions', label: string) => (
    <AppLink href={href('/violations', withParams(url, { show: show === 'accounts' ? null : show, sort: null }))}
      aria-current={(show === 'decisions') === showDecisions ? 'page' : undefined}
      className={`rounded-md px-3 py-1.5 text-sm ${(show === 'decisions') === showDecisions ? 'bg-sky-100 font-semibold text-sky-900 dark:bg-sky-900/40 dark:text-sky-100' : 'text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'}`}>
      {label}
    </AppLink>
  );
  return (
    <>
      <PageTitle
        title="Violations"
        subtitle={<>Decisions that contradict the region policy in force when they were made, {formatRange(filters.from, filters.to, filters.tz)}</>}
        actions={(
          <span className="flex flex-wrap items-center gap-2">
            <ExportLink excel={false} view="violation-accounts" label="Accounts CSV" params={filterQuery} />
            {analyst ? <ExportLink excel={false} view="violations" label="Violations CSV" params={filterQuery} /> : null}
            {analyst ? (
              <a href={href('/api/v1/evidence', filterQuery)} download data-testid="evidence-pack"
                className="rounded-md bg-sky-700 px-3 py-1 text-sm font-semibold text-white">Evidence pack (zip)</a>
            ) : null}
          </span>
        )}
      />
      <div className="space-y-6">
        <ViolationStats summary={headline} />
        <Suspense fallback={<CardSkeleton className="h-64" />}>
          <Series series={data.series} filters={filters} bucket={bucket} />
        </Suspense>
        <Card>
          <nav aria-label="Violations as" className="mb-3 flex gap-2">
            {tab('accounts', 'Per account')}
            {analyst ? tab('decisions', 'Decisions') : null}
          </nav>
          <Suspense fallback={<Skeleton className="h-96" />}>
            {data.accounts ? <Accounts accounts={data.accounts} paging={paging} tz={filters.tz} /> : null}
            {data.list ? <Decisions list={data.list} paging={paging} tz={filters.tz} /> : null}
          </Suspense>
        </Card>
      </div>
    </>
  );
}

const none = <p role="status" className="text-sm">No violations in this range with these filters.</p>;

async function Series({ series, filters, bucket }: { series: Promise<ViolationPoint[]>; filters: Filters; bucket: Bucket }) {
  const points = fillBuckets(await series, bucketStarts(filters.from, filters.to, bucket, filters.tz),
    (b) => ({ bucket: b, allowedUnsupported: 0, blockedSupported: 0 }));
  return <ViolationSeriesChart points={points} bucket={bucket} tz={filters.tz} />;
}

type Paging = { page: number; pageSize: number; sort: string };

async function Accounts({ accounts, paging, tz }: { accounts: Promise<{ rows: ViolationAccountRow[]; total: number }>; paging: Paging; tz: string }) {
  const { rows, total } = await accounts;
  if (total === 0) return none;
  return <ViolationAccountsTable rows={rows} page={{ page: paging.page, pageSize: paging.pageSize, total }} sort={paging.sort} tz={tz} />;
}

async function Decisions({ list, paging, tz }: { list: Promise<{ rows: ViolationRecord[]; total: number }>; paging: Paging; tz: string }) {
  const { rows, total } = await list;
  if (total === 0) return none;
  return (
    <>
      <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">{formatCount(total)} violating decisions, newest first.</p>
      <ViolationListTable rows={rows} page={{ page: paging.page, pageSize: paging.pageSize, total }} tz={tz} />
    </>
  );
}
