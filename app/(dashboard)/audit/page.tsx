import type { Metadata } from 'next';

import { AuditTable } from '@/components/audit/AuditTable';
import { ExportLink } from '@/components/export/ExportLink';
import { Card, EmptyState, PageTitle } from '@/components/ui/EmptyState';
import { listAuditEvents } from '@/lib/audit/list';
import { requirePageUser } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';
import { parsePageParams } from '@/lib/pagination';

export const metadata: Metadata = { title: 'Audit' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageUser('viewer');
  const params = parsePageParams(await searchParams, ['at', 'action', 'actorLabel'], '-at');
  const { rows, total } = await listAuditEvents(prisma(), params);
  return (
    <>
      <PageTitle title="Audit trail" subtitle="Gatewatch's own use: sign-ins, user changes, uploads and exports." />
      {total === 0 ? <EmptyState title="Nothing recorded yet" /> : (
        <Card>
          <div className="mb-2 flex justify-end"><ExportLink view="audit" params={{ sort: params.sort }} /></div>
          <AuditTable
            rows={rows.map((r) => ({ id: String(r.id), at: r.at.toISOString(), actorLabel: r.actorLabel, actorType: r.actorType,
              action: r.action, target: r.target, details: JSON.stringify(r.details), ip: r.ip }))}
            page={{ page: params.page, pageSize: params.pageSize, total }}
            sort={params.sort}
          />
        </Card>
      )}
    </>
  );
}
