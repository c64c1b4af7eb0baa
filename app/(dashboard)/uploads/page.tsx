import type { Metadata } from 'next';

import { ExportLink } from '@/components/export/ExportLink';
import { Card, EmptyState, PageTitle } from '@/components/ui/EmptyState';
import { BatchTable } from '@/components/uploads/BatchTable';
import { UploadPanel } from '@/components/uploads/UploadPanel';
import { requirePage } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';
import { BATCH_SORTS, listBatches } from '@/lib/ingest/batches';
import { parsePageParams } from '@/lib/pagination';

export const metadata: Metadata = { title: 'Uploads' };

export default async function UploadsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('/uploads');
  const params = parsePageParams(await searchParams, BATCH_SORTS, '-startedAt', 25);
  const { rows, total } = await listBatches(prisma(), params);
  return (
    <>
      <PageTitle title="Uploads" subtitle="Every row of a batch is stored once or reported with its reason." />
      <div className="space-y-6">
        <UploadPanel />
        <Card title="Batch history">
          <div className="mb-2 flex justify-end"><ExportLink view="batches" params={{ sort: params.sort }} /></div>
          {total === 0 ? <EmptyState title="No batches yet" /> : (
            <BatchTable rows={rows} page={{ page: params.page, pageSize: params.pageSize, total }} sort={params.sort} />
          )}
        </Card>
      </div>
    </>
  );
}
