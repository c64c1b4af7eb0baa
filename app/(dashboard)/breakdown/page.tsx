import type { Metadata } from 'next';
import { Suspense } from 'react';

import { formatRange } from '@/components/analytics/format';
import { ParamSelect, ParamToggle } from '@/components/analytics/ParamControls';
import { BadUrlState, CardSkeleton, NoDataState, NoMatchState } from '@/components/analytics/states';
import { TopAccounts } from '@/components/analytics/TopAccounts';
import { CHART_OPTIONS, GROUP_LABEL } from '@/components/analytics/labels';
import { BreakdownChart } from '@/components/charts/BreakdownChart';
import { filterParams, href, toSearchParams, withoutFilters, withParams } from '@/components/filters/params';
import { BreakdownTable } from '@/components/tables/BreakdownTable';
import { ExportLink } from '@/components/export/ExportLink';
import { PageTitle } from '@/components/ui/EmptyState';
import { listAccounts } from '@/lib/analytics/accounts';
import { breakdown, NONE, sortBreakdown, type BreakdownSort } from '@/lib/analytics/breakdown';
import { hasAnyDecisions } from '@/lib/analytics/catalog';
import { GROUP_BYS, parseFilters } from '@/lib/analytics/filters';
import { parseChartKind, parseGroupBy, parseView } from '@/lib/analytics/view-params';
import { requirePage } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';
import { parsePageParams } from '@/lib/pagination';

export const metadata: Metadata = { title: 'Breakdown' };

const SORTS = ['key', 'allowed', 'blocked', 'total', 'blockRate'] as const satisfies readonly BreakdownSort[];
const CHART_ROWS = 25;

export default async function BreakdownPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('/breakdown');
  const params = await searchParams;
  const parsed = parseView(() => ({
    filters: parseFilters(params),
    ...parseGroupBy(params),
    chart: parseChartKind(params),
    paging: parsePageParams(params, SORTS, '-blocked', 50),
  }));
  if (!parsed.ok) return (<><PageTitle title="Breakdown" /><BadUrlState message={parsed.message} resetHref="/breakdown" /></>);
  const { filters, by, by2, chart, paging } = parsed.view;
  const db = prisma();
  // Both queries start now; the chart and table wait for the breakdown alone, and the top
  // accounts (the slower query) stream into their own Suspense boundary.
  const accounts = listAccounts(db, filters, { column: 'blocked', desc: true, page: 1, pageSize: 10 });
  accounts.catch(() => undefined); // not rendered for an empty range
  const rows = await breakdown(db, filters, by, by2 ?? undefined);
  const url = toSearchParams(params);
  const title = (
    <PageTitle
      title="Breakdown"
      subtitle={<span data-testid="range-label">{formatRange(filters.from, filters.to, filters.tz)}</span>}
      actions={<ExportLink view="breakdown" params={url} />}
    />
  );
  const groupOptions = GROUP_BYS.map((g) => ({ value: g, label: GROUP_LABEL[g] }));
  const controls = (
    <div className="mb-4 flex flex-wrap items-center gap-3" data-testid="breakdown-controls">
      <ParamSelect name="by" label="Group by" value={by} defaultValue="region" options={groupOptions} />
      <ParamSelect name="by2" label="then by" value={by2 ?? ''} defaultValue=""
        options={[{ value: '', label: '(nothing)' }, ...groupOptions.filter((o) => o.value !== by)]} />
      <ParamToggle name="chart" label="Chart shows" value={chart} defaultValue="counts" options={CHART_OPTIONS} />
    </div>
  );
  if (rows.length === 0) {
    return (
      <>
        {title}
        {controls}
        {(await hasAnyDecisions(db)) ? <NoMatchState resetHref={href('/breakdown', withoutFilters(url))} /> : <NoDataState />}
      </>
    );
  }
  const sorted = sortBreakdown(rows, paging.column, paging.desc);
  const pages = Math.max(1, Math.ceil(sorted.length / paging.pageSize));
  const pageNo = Math.min(paging.page, pages);
  const pageRows = sorted.slice((pageNo - 1) * paging.pageSize, pageNo * paging.pageSize);
  const carry = filterParams(url).toString();
  return (
    <>
      {title}
      {controls}
      <div className="grid items-start gap-6 xl:grid-cols-2">
        <BreakdownChart rows={sorted.slice(0, CHART_ROWS)} by={by} by2={by2} kind={chart} totalRows={sorted.length} none={NONE} />
        <section aria-label="Breakdown table" className="min-w-0 rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900">
          <BreakdownTable rows={pageRows} by={by} by2={by2} page={{ page: pageNo, pageSize: paging.pageSize, total: sorted.length }} sort={paging.sort} none={NONE} />
        </section>
      </div>
      <div className="mt-6">
        <Suspense fallback={<CardSkeleton className="h-64" />}>
          <TopAccountsPanel accounts={accounts} carry={carry} allHref={href('/accounts', withParams(filterParams(url), { sort: '-blocked' }))} />
        </Suspense>
      </div>
    </>
  );
}

async function TopAccountsPanel({ accounts, carry, allHref }: { accounts: ReturnType<typeof listAccounts>; carry: string; allHref: string }) {
  const { rows, total } = await accounts;
  return <TopAccounts rows={rows} total={total} carry={carry} allHref={allHref} />;
}
