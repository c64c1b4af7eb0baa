import type { Metadata } from 'next';

import { ExportLink } from '@/components/export/ExportLink';
import { PolicyTable } from '@/components/audit/PolicyTable';
import { AddPolicyForm, ChangePolicyForm } from '@/components/policies/PolicyForms';
import { Card, EmptyState, PageTitle } from '@/components/ui/EmptyState';
import { requirePage } from '@/lib/auth/request';
import { hasRole } from '@/lib/auth/roles';
import { prisma } from '@/lib/db/client';
import { listRegionPolicies, openRegionPolicies } from '@/lib/policy/list';
import { parsePageParams } from '@/lib/pagination';

import { addPolicyAction, closePolicyAction, supersedePolicyAction } from './actions';

export const metadata: Metadata = { title: 'Policies' };

export default async function PoliciesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePage('/policies');
  const params = parsePageParams(await searchParams, ['effectiveFrom', 'provider', 'region'], '-effectiveFrom');
  const admin = hasRole(user.role, 'admin');
  const [{ rows, total }, open] = await Promise.all([
    listRegionPolicies(prisma(), params),
    admin ? openRegionPolicies(prisma()) : Promise.resolve([]),
  ]);
  return (
    <>
      <PageTitle
        title="Region policies"
        subtitle="Which provider serves which caller regions, over which dates. Versions are closed and superseded, never rewritten; every change is audited."
        actions={<ExportLink view="policies" label="Export all versions" params={new URLSearchParams({ all: '1' })} />}
      />
      <div className="space-y-6">
        {admin ? (
          <>
            <Card title="Add a version">
              <AddPolicyForm action={addPolicyAction} />
            </Card>
            {open.length ? (
              <Card title="Change a version in force">
                <ChangePolicyForm close={closePolicyAction} supersede={supersedePolicyAction}
                  versions={open.map((p) => ({ id: p.id, label: `#${p.id} ${p.provider}${p.channel ? `/${p.channel}` : ''} ${p.region} ${p.status} from ${p.effectiveFrom.toISOString().slice(0, 10)}` }))} />
              </Card>
            ) : null}
          </>
        ) : null}
        {total === 0 ? <EmptyState title="No region policies recorded" /> : (
          <Card>
            <PolicyTable
              rows={rows.map((p) => ({ id: p.id, provider: p.provider, channel: p.channel, region: p.region, status: p.status,
                effectiveFrom: p.effectiveFrom.toISOString(), effectiveTo: p.effectiveTo?.toISOString() ?? null, note: p.note, supersedesId: p.supersedesId }))}
              page={{ page: params.page, pageSize: params.pageSize, total }}
              sort={params.sort}
            />
          </Card>
        )}
      </div>
    </>
  );
}
