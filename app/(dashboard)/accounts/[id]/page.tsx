import type { Metadata } from 'next';
import { AppLink } from '@/components/ui/AppLink';
import { notFound } from 'next/navigation';

import { AccountSummary } from '@/components/analytics/AccountSummary';
import { bucketStarts } from '@/components/analytics/buckets';
import { DecisionDrawer } from '@/components/analytics/DecisionDrawer';
import { BUCKET_OPTIONS } from '@/components/analytics/labels';
import { ParamSelect } from '@/components/analytics/ParamControls';
import { BadUrlState, NoMatchState } from '@/components/analytics/states';
import { AccountBreakdownChart } from '@/components/charts/AccountBreakdownChart';
import { AccountTimeline } from '@/components/charts/AccountTimeline';
import { filterParams, href, toSearchParams, withoutFilters, withParams } from '@/components/filters/params';
import { DecisionLogTable, KeysetPager } from '@/components/tables/DecisionLogTable';
import { ExportLink } from '@/components/export/ExportLink';
import { PageTitle } from '@/components/ui/EmptyState';
import { accountBreakdown, accountTimeline, getAccount } from '@/lib/analytics/account';
import { decisionsPage, getDecision } from '@/lib/analytics/decisions';
import { defaultBucket, parseFilters } from '@/lib/analytics/filters';
import { accountIdFromSegment, parseBucket, parseKeyset, parseOpenDecision, parseView } from '@/lib/analytics/view-params';
import { recordAudit } from '@/lib/audit/record';
import { clientIp, requirePage } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';

export const metadata: Metadata = { title: 'Account' };

const LOG_SIZE = 25;

export default async function AccountPage({ params: routeParams, searchParams }: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requirePage('/accounts/[id]');
  const id = accountIdFromSegment((await routeParams).id);
  const params = await searchParams;
  const db = prisma();
  const account = await getAccount(db, id);
  if (!account) notFound();
  await recordAudit(db, { actor: user, action: 'account.view', target: `account:${account.id}`, ip: await clientIp() });
  const self = `/accounts/${encodeURIComponent(id)}`;
  const url = toSearchParams(params);
  const carried = filterParams(url).toString();
  const heading = (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <AppLink className="text-sky-700 underline dark:text-sky-400" href={`/accounts${carried ? `?${carried}` : ''}`}>Accounts</AppLink>
        <span aria-hidden className="mx-1 text-slate-400">/</span>
        <span aria-current="page">{account.name ?? account.id}</span>
      </nav>
      <PageTitle title={account.name ?? account.id} subtitle={<span className="font-mono">{account.id}</span>}
        actions={<ExportLink view="decisions" label="Export this account's decisions"
          params={withParams(filterParams(url), { account: account.id })} />} />
    </>
  );
  const parsed = parseView(() => {
    const filters = parseFilters(params);
    return { filters, bucket: parseBucket(params, filters), keyset: parseKeyset(params), open: parseOpenDecision(params) };
  });
  if (!parsed.ok) return (<>{heading}<BadUrlState message={parsed.message} resetHref={self} /></>);
  const { filters, bucket, keyset, open } = parsed.view;
  const { tz } = filters;
  const [timeline, byDimension, log, opened] = await Promise.all([
    accountTimeline(db, id, filters, bucket),
    accountBreakdown(db, id, filters),
    decisionsPage(db, filters, { accountId: id, cursor: keyset.cursor, limit: LOG_SIZE }),
    open ? getDecision(db, open) : null,
  ]);
  return (
    <>
      {heading}
      <AccountSummary rows={byDimension} from={filters.from.toISOString()} to={filters.to.toISOString()}
        firstSeen={account.firstSeen} lastSeen={account.lastSeen} tz={tz} />
      {byDimension.length === 0 ? (
        <NoMatchState resetHref={href(self, withoutFilters(url))}>
          This account has decisions, but none in this date range with these filters.
        </NoMatchState>
      ) : (
        <div className="space-y-6">
          <AccountTimeline
            points={timeline}
            buckets={bucketStarts(filters.from, filters.to, bucket, tz)}
            bucket={bucket}
            tz={tz}
            controls={<ParamSelect name="bucket" label="Per" value={bucket} defaultValue={defaultBucket(filters.from, filters.to)} options={BUCKET_OPTIONS} />}
          />
          <AccountBreakdownChart rows={byDimension} />
          <section aria-labelledby="account-log-title" className="rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900">
            <h2 id="account-log-title" className="mb-3 text-sm font-semibold">Decision log</h2>
            <DecisionLogTable rows={log.rows} tz={tz} showAccount={false} caption="Decision log of this account"
              footer={<KeysetPager nextCursor={log.nextCursor} cursor={keyset.cursor} trail={keyset.trail} shown={log.rows.length} />} />
          </section>
        </div>
      )}
      {open ? <DecisionDrawer key={open} decision={opened} id={open} tz={tz} /> : null}
    </>
  );
}
