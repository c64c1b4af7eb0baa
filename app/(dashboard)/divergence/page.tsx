import type { Metadata } from 'next';

import { formatCount, formatRange } from '@/components/analytics/format';
import { BadUrlState } from '@/components/analytics/states';
import { ExportLink } from '@/components/export/ExportLink';
import { filterParams, toSearchParams } from '@/components/filters/params';
import { DivergenceTable } from '@/components/tables/ViolationTables';
import { Card, PageTitle } from '@/components/ui/EmptyState';
import { DIVERGENCE_SORTS, divergence, divergenceFilters } from '@/lib/analytics/divergence';
import type { SearchParamsInput } from '@/lib/analytics/filters';
import { parseView } from '@/lib/analytics/view-params';
import { requirePage } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';
import { parsePageParams } from '@/lib/pagination';

export const metadata: Metadata = { title: 'Channel divergence' };

export default async function DivergencePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('/divergence');
  const params = await searchParams;
  const parsed = parseView(() => ({
    filters: divergenceFilters(params as SearchParamsInput),
    paging: parsePageParams(params, DIVERGENCE_SORTS, '-allowedAfterBlock', 50),
  }));
  if (!parsed.ok) return (<><PageTitle title="Channel divergence" /><BadUrlState message={parsed.message} resetHref="/divergence" /></>);
  const { filters, paging } = parsed.view;
  const { rows, total } = await divergence(prisma(), filters, paging);
  const url = toSearchParams(params);
  return (
    <>
      <PageTitle
        title="Channel divergence"
        subtitle={<>Accounts blocked on one channel and allowed on another for callers in the same region, {formatRange(filters.from, filters.to, filters.tz)}
          {params.range || params.from ? '' : ' (the last 7 days unless you choose a range)'}. Ranked by decisions allowed after the first block elsewhere.</>}
        actions={<ExportLink view="divergence" params={filterParams(url)} />}
      />
      <Card>
        {total === 0 ? <p role="status" data-testid="divergence-empty" className="text-sm">No account was blocked on one channel and allowed on another in this range.</p> : (
          <>
            <p className="mb-2 text-sm text-slate-600 dark:text-slate-400" data-testid="divergence-count">{formatCount(total)} accounts and regions. Open an account to see its channels on one time axis.</p>
            <DivergenceTable rows={rows} page={{ page: paging.page, pageSize: paging.pageSize, total }} sort={paging.sort} tz={filters.tz} />
          </>
        )}
      </Card>
    </>
  );
}
