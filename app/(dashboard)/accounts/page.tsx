import type { Metadata } from 'next';

import { formatCount, formatRange } from '@/components/analytics/format';
import { SearchBox } from '@/components/analytics/SearchBox';
import { BadUrlState, NoDataState, NoMatchState } from '@/components/analytics/states';
import { href, toSearchParams, withoutFilters, withParams } from '@/components/filters/params';
import { AccountsTable } from '@/components/tables/AccountsTable';
import { ExportLink } from '@/components/export/ExportLink';
import { PageTitle } from '@/components/ui/EmptyState';
import { ACCOUNT_SORTS, listAccounts } from '@/lib/analytics/accounts';
import { hasAnyDecisions } from '@/lib/analytics/catalog';
import { parseFilters } from '@/lib/analytics/filters';
import { parseSearch, parseView } from '@/lib/analytics/view-params';
import { requirePage } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';
import { parsePageParams } from '@/lib/pagination';

export const metadata: Metadata = { title: 'Accounts' };

export default async function AccountsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('/accounts');
  const params = await searchParams;
  const parsed = parseView(() => ({
    filters: parseFilters(params),
    q: parseSearch(params),
    paging: parsePageParams(params, ACCOUNT_SORTS, '-total', 50),
  }));
  if (!parsed.ok) return (<><PageTitle title="Accounts" /><BadUrlState message={parsed.message} resetHref="/accounts" /></>);
  const { filters, q, paging } = parsed.view;
  const db = prisma();
  const { rows, total } = await listAccounts(db, filters, { search: q, column: paging.column, desc: paging.desc, page: paging.page, pageSize: paging.pageSize });
  const url = toSearchParams(params);
  let empty: React.ReactNode = null;
  if (total === 0) {
    if (q) {
      empty = (
        <NoMatchState resetHref={href('/accounts', withParams(url, { q: null }))}>
          No account whose name or id contains “{q}” has decisions in this range with these filters.
        </NoMatchState>
      );
    } else {
      empty = (await hasAnyDecisions(db)) ? <NoMatchState what="accounts" resetHref={href('/accounts', withoutFilters(url))} /> : <NoDataState />;
    }
  }
  return (
    <>
      <PageTitle
        title="Accounts"
        subtitle={<span data-testid="range-label">{total ? `${formatCount(total)} accounts with decisions, ` : ''}{formatRange(filters.from, filters.to, filters.tz)}</span>}
        actions={<ExportLink view="accounts" params={url} />}
      />
      <div className="mb-4">
        <SearchBox key={q} name="q" label="Search accounts" placeholder="Account name or id" value={q} />
      </div>
      {empty ?? (
        <section aria-label="Accounts" className="rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900">
          {rows.length === 0 ? (
            <p role="status" className="text-sm">Page {paging.page} is past the last page. <a className="underline" href={href('/accounts', withParams(url, { page: null }))}>First page</a></p>
          ) : (
            <AccountsTable rows={rows} page={{ page: paging.page, pageSize: paging.pageSize, total }} sort={paging.sort} tz={filters.tz} />
          )}
        </section>
      )}
    </>
  );
}
