import type { Metadata } from 'next';
import Link from 'next/link';

import { bucketStarts, fillBuckets } from '@/components/analytics/buckets';
import { formatCount, formatRange } from '@/components/analytics/format';
import { BadUrlState } from '@/components/analytics/states';
import { ViolationStats } from '@/components/analytics/ViolationStats';
import { ViolationSeriesChart } from '@/components/charts/ViolationSeriesChart';
import { ExportLink } from '@/components/export/ExportLink';
import { filterParams, href, toSearchParams, withParams } from '@/components/filters/params';
import { ViolationAccountsTable, ViolationListTable } from '@/components/tables/ViolationTables';
import { Card, PageTitle } from '@/components/ui/EmptyState';
import { parseFilters, type SearchParamsInput } from '@/lib/analytics/filters';
import { parseBucket, parseView } from '@/lib/analytics/view-params';
import { VIOLATION_ACCOUNT_SORTS, violationAccounts, violationList, violationSeries, violationSummary } from '@/lib/analytics/violations';
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
  const [summary, series, accounts, list] = await Promise.all([
    violationSummary(db, filters),
    violationSeries(db, filters, bucket),
    showDecisions ? null : violationAccounts(db, filters, paging),
    showDecisions ? violationList(db, filters, { page: paging.page, pageSize: paging.pageSize }) : null,
  ]);
  const url = toSearchParams(params);
  const filterQuery = filterParams(url);
  const points = fillBuckets(series, bucketStarts(filters.from, filters.to, bucket, filters.tz),
    (b) => ({ bucket: b, allowedUnsupported: 0, blockedSupported: 0 }));
  const tab = (show: 'accounts' | 'decisions', label: string) => (
    <Link href={href('/violations', withParams(url, { show: show === 'accounts' ? null : show, sort: null }))}
      aria-current={(show === 'decisions') === showDecisions ? 'page' : undefined}
      className={`rounded-md px-3 py-1.5 text-sm ${(show === 'decisions') === showDecisions ? 'bg-sky-100 font-semibold text-sky-900 dark:bg-sky-900/40 dark:text-sky-100' : 'text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'}`}>
      {label}
    </Link>
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
        <ViolationStats summary={summary} />
        <ViolationSeriesChart points={points} bucket={bucket} tz={filters.tz} />
        <Card>
          <nav aria-label="Violations as" className="mb-3 flex gap-2">
            {tab('accounts', 'Per account')}
            {analyst ? tab('decisions', 'Decisions') : null}
          </nav>
          {accounts ? (
            accounts.total === 0 ? <p role="status" className="text-sm">No violations in this range with these filters.</p> : (
              <ViolationAccountsTable rows={accounts.rows} page={{ page: paging.page, pageSize: paging.pageSize, total: accounts.total }} sort={paging.sort} tz={filters.tz} />
            )
          ) : null}
          {list ? (
            list.total === 0 ? <p role="status" className="text-sm">No violations in this range with these filters.</p> : (
              <>
                <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">{formatCount(list.total)} violating decisions, newest first.</p>
                <ViolationListTable rows={list.rows} page={{ page: paging.page, pageSize: paging.pageSize, total: list.total }} tz={filters.tz} />
              </>
            )
          ) : null}
        </Card>
      </div>
    </>
  );
}
