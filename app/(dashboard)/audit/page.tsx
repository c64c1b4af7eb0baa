import type { Metadata } from 'next';

import { AuditFilterForm } from '@/components/audit/AuditFilterForm';
import { AuditTable } from '@/components/audit/AuditTable';
import { ExportLink } from '@/components/export/ExportLink';
import { Card, EmptyState, PageTitle } from '@/components/ui/EmptyState';
import { readChainHead } from '@/lib/audit/chain';
import { AuditFilterError, listAuditEvents, parseAuditFilter } from '@/lib/audit/list';
import { AUDIT_ACTIONS } from '@/lib/audit/record';
import { requirePage } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';
import { parsePageParams } from '@/lib/pagination';

export const metadata: Metadata = { title: 'Audit' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('/audit');
  const raw = await searchParams;
  const params = parsePageParams(raw, ['at', 'action', 'actorLabel'], '-at');
  let filter;
  try {
    filter = parseAuditFilter(raw);
  } catch (error) {
    if (!(error instanceof AuditFilterError)) throw error;
    return (
      <>
        <PageTitle title="Audit trail" />
        <EmptyState title="These filters are not valid" resetHref="/audit">{error.message}</EmptyState>
      </>
    );
  }
  const [{ rows, total }, head] = await Promise.all([listAuditEvents(prisma(), { ...params, filter }), readChainHead(prisma())]);
  return (
    <>
      <PageTitle title="Audit trail" subtitle="Gatewatch's own use: sign-ins, user changes, uploads, exports and views of raw data." />
      <Card className="mb-4" title="Hash chain">
        <p className="text-sm">
          <span data-testid="audit-count">{head.count.toLocaleString('en')}</span> entries; head{' '}
          <code className="break-all font-mono text-xs" data-testid="audit-head">{head.hash}</code>
        </p>
        <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
          Keep the head and count somewhere else: <code>npm run gw -- audit verify --head HASH</code> then proves that no
          entry up to it was modified, deleted or reordered.
        </p>
      </Card>
      <Card>
        <div className="mb-3 flex flex-wrap items-end justify-between gap-3">
          <AuditFilterForm actions={AUDIT_ACTIONS} value={{ actor: filter.actor ?? '', action: filter.action ?? '', from: filter.from ?? '', to: filter.to ?? '' }} />
          <ExportLink view="audit" params={{ sort: params.sort, actor: filter.actor, action: filter.action, from: filter.from, to: filter.to }} />
        </div>
        {total === 0 ? <EmptyState title="No entry matches" resetHref="/audit" /> : (
          <AuditTable
            rows={rows.map((r) => ({ id: String(r.id), seq: r.seq?.toString() ?? null, at: r.at.toISOString(), actorLabel: r.actorLabel,
              actorType: r.actorType, action: r.action, target: r.target, details: JSON.stringify(r.details), ip: r.ip, hash: r.hash }))}
            page={{ page: params.page, pageSize: params.pageSize, total }}
            sort={params.sort}
          />
        )}
      </Card>
    </>
  );
}
