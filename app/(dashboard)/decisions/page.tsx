import type { Metadata } from 'next';

import { DecisionDrawer } from '@/components/analytics/DecisionDrawer';
import { RequestLookup } from '@/components/analytics/RequestLookup';
import { formatRange } from '@/components/analytics/format';
import { SearchBox } from '@/components/analytics/SearchBox';
import { BadUrlState, NoDataState, NoMatchState } from '@/components/analytics/states';
import { href, toSearchParams, withoutFilters, withParams } from '@/components/filters/params';
import { DecisionLogTable, KeysetPager } from '@/components/tables/DecisionLogTable';
import { ExportLink } from '@/components/export/ExportLink';
import { PageTitle } from '@/components/ui/EmptyState';
import { hasAnyDecisions } from '@/lib/analytics/catalog';
import { decisionsByRequestId, decisionsPage, getDecision } from '@/lib/analytics/decisions';
import { parseFilters } from '@/lib/analytics/filters';
import { parseKeyset, parseOpenDecision, parseRequestLookup, parseView } from '@/lib/analytics/view-params';
import { recordAudit } from '@/lib/audit/record';
import { clientIp, requirePage } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';

export const metadata: Metadata = { title: 'Decisions' };

const PAGE_SIZE = 50;

export default async function DecisionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePage('/decisions');
  const params = await searchParams;
  const parsed = parseView(() => ({
    filters: parseFilters(params),
    keyset: parseKeyset(params),
    request: parseRequestLookup(params),
    open: parseOpenDecision(params),
  }));
  if (!parsed.ok) return (<><PageTitle title="Decisions" /><BadUrlState message={parsed.message} resetHref="/decisions" /></>);
  const { filters, keyset, request, open } = parsed.view;
  const { tz } = filters;
  const db = prisma();
  const url = toSearchParams(params);
  if (request || open) {
    await recordAudit(db, { actor: user, action: 'decision.lookup', target: request ? `request:${request}` : `decision:${open}`, ip: await clientIp() });
  }
  const [log, lookup, opened] = await Promise.all([
    request ? null : decisionsPage(db, filters, { cursor: keyset.cursor, limit: PAGE_SIZE }),
    request ? decisionsByRequestId(db, request) : null,
    open ? getDecision(db, open) : null,
  ]);

  let body: React.ReactNode;
  if (lookup && request) {
    body = <RequestLookup requestId={request} rows={lookup} backHref={href('/decisions', withParams(url, { request: null }))} tz={tz} />;
  } else if (log && log.rows.length === 0 && !keyset.cursor) {
    body = (await hasAnyDecisions(db)) ? <NoMatchState resetHref={href('/decisions', withoutFilters(url))} /> : <NoDataState />;
  } else if (log) {
    body = (
      <section aria-label="Decision log" className="rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900">
        <DecisionLogTable rows={log.rows} tz={tz}
          footer={<KeysetPager nextCursor={log.nextCursor} cursor={keyset.cursor} trail={keyset.trail} shown={log.rows.length} />} />
      </section>
    );
  }

  return (
    <>
      <PageTitle title="Decisions" subtitle={<span data-testid="range-label">{formatRange(filters.from, filters.to, tz)}</span>}
        actions={<ExportLink view="decisions" params={withParams(url, { request: null, open: null, trail: null })} />} />
      <div className="mb-4">
        <SearchBox key={request ?? ''} name="request" label="Find a decision by request id" placeholder="Request id, e.g. req_000001a1b2c3" value={request ?? ''} />
      </div>
      {body}
      {open ? <DecisionDrawer key={open} decision={opened} id={open} tz={tz} /> : null}
    </>
  );
}
