import type { Metadata } from 'next';

import { DecisionSeriesChart } from '@/components/charts/DecisionSeriesChart';
import { Card, EmptyState, PageTitle, Stat } from '@/components/ui/EmptyState';
import { parseFilters, type SearchParamsInput } from '@/lib/analytics/filters';
import { dailySeries, hasAnyDecisions, overviewTotals } from '@/lib/analytics/overview';
import { requirePageUser } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';

export const metadata: Metadata = { title: 'Overview' };

const nf = new Intl.NumberFormat('en');
const pf = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });

export default async function OverviewPage({ searchParams }: { searchParams: Promise<SearchParamsInput> }) {
  await requirePageUser('viewer');
  const filters = parseFilters(await searchParams);
  const db = prisma();
  if (!(await hasAnyDecisions(db))) {
    return (
      <>
        <PageTitle title="Overview" />
        <EmptyState title="No decisions yet">
          Upload a log batch on the Uploads page, or load demo data with <code>npm run gw -- seed</code>.
        </EmptyState>
      </>
    );
  }
  const [totals, series] = await Promise.all([overviewTotals(db, filters), dailySeries(db, filters)]);
  const range = `${filters.from.toISOString().slice(0, 16).replace('T', ' ')} to ${filters.to.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return (
    <>
      <PageTitle title="Overview" subtitle={range} />
      {totals.decisions === 0 ? (
        <EmptyState title="Nothing matches these filters" resetHref="/overview">
          There are decisions in Gatewatch, but none in this range with these filters.
        </EmptyState>
      ) : (
        <div className="space-y-6">
          <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
            <Stat label="Decisions" value={nf.format(totals.decisions)} />
            <Stat label="Allowed" value={nf.format(totals.allowed)} tone="allowed" />
            <Stat label="Blocked" value={nf.format(totals.blocked)} tone="blocked" />
            <Stat label="Block rate" value={totals.blockRate === null ? '–' : pf.format(totals.blockRate)} />
          </div>
          <Card title="Allowed and blocked per day (UTC)">
            <DecisionSeriesChart data={series} bucketLabel="Day" />
          </Card>
        </div>
      )}
    </>
  );
}
