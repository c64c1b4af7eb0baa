import type { Metadata } from 'next';

import { PolicyTable } from '@/components/audit/PolicyTable';
import { Card, EmptyState, PageTitle } from '@/components/ui/EmptyState';
import { requirePage } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';
import { listRegionPolicies } from '@/lib/policy/list';
import { parsePageParams } from '@/lib/pagination';

export const metadata: Metadata = { title: 'Policies' };

export default async function PoliciesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('/policies');
  const params = parsePageParams(await searchParams, ['effectiveFrom', 'provider', 'region'], '-effectiveFrom');
  const { rows, total } = await listRegionPolicies(prisma(), params);
  return (
    <>
      <PageTitle title="Region policies" subtitle="Which provider serves which caller regions, from which date." />
      {total === 0 ? <EmptyState title="No region policies recorded" /> : (
        <Card>
          <PolicyTable
            rows={rows.map((p) => ({ id: p.id, provider: p.provider, channel: p.channel, region: p.region, status: p.status,
              effectiveFrom: p.effectiveFrom.toISOString(), effectiveTo: p.effectiveTo?.toISOString() ?? null, note: p.note }))}
            page={{ page: params.page, pageSize: params.pageSize, total }}
            sort={params.sort}
          />
        </Card>
      )}
    </>
  );
}
