import type { Metadata } from 'next';
import { AppLink } from '@/components/ui/AppLink';
import { notFound } from 'next/navigation';

import { Card, PageTitle } from '@/components/ui/EmptyState';
import { BatchCounts, RejectedRowsTable } from '@/components/uploads/BatchReport';
import { requirePage } from '@/lib/auth/request';
import { prisma } from '@/lib/db/client';
import { firstConflicts, firstRejections, getBatch } from '@/lib/ingest/batches';

export const metadata: Metadata = { title: 'Batch' };

const SHOWN = 100;

export default async function BatchPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePage('/uploads/[id]');
  const id = Number((await params).id);
  const batch = Number.isSafeInteger(id) && id > 0 ? await getBatch(prisma(), id) : null;
  if (!batch) notFound();
  const [errors, conflicts] = await Promise.all([firstRejections(prisma(), id, SHOWN), firstConflicts(prisma(), id, SHOWN)]);
  const facts: [string, React.ReactNode][] = [
    ['Status', batch.status],
    ['Source', batch.source],
    ['Uploaded by', batch.uploadedBy ?? '–'],
    ['Started (UTC)', batch.startedAt.replace('T', ' ').slice(0, 19)],
    ['Finished (UTC)', batch.finishedAt?.replace('T', ' ').slice(0, 19) ?? '–'],
    ['Format', `${batch.format ?? '–'}${batch.compressed ? ' (gzip)' : ''}`],
    ['Strict mode', batch.strict ? 'yes' : 'no'],
    ['Bytes', batch.bytes.toLocaleString('en')],
    ['SHA-256', <code key="sha" className="break-all text-xs">{batch.sha256 ?? '–'}</code>],
  ];
  return (
    <>
      <PageTitle title={`Batch #${batch.id}: ${batch.fileName}`} subtitle={<AppLink className="underline" href="/uploads">All uploads</AppLink>} />
      <div className="space-y-6">
        {batch.failureReason ? <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">{batch.failureReason}</p> : null}
        {batch.duplicateOf ? <p className="text-sm">Identical to batch <AppLink className="underline" href={`/uploads/${batch.duplicateOf}`}>#{batch.duplicateOf}</AppLink>; nothing was stored again.</p> : null}
        <Card title="Report"><BatchCounts batch={batch} />
          <RejectedRowsTable errors={errors.map((e) => ({ line: e.line, message: e.error }))} total={batch.rejected} batchId={batch.id} />
        </Card>
        {conflicts.length ? (
          <Card title={`Conflicts: duplicates whose decision differs from the stored one${batch.conflicts > SHOWN ? ` (first ${SHOWN} of ${batch.conflicts})` : ''}`}>
            <table className="w-full text-sm">
              <thead className="text-left text-xs uppercase text-slate-500"><tr><th className="py-1">Line</th><th>Provider</th><th>Request id</th><th>Stored</th><th>In this file</th></tr></thead>
              <tbody>
                {conflicts.map((c) => (
                  <tr key={c.line} className="border-t border-slate-100 dark:border-slate-800">
                    <td className="py-1">{c.line}</td><td>{c.provider}</td><td className="font-mono text-xs">{c.requestId}</td>
                    <td>{c.storedDecision}</td><td>{c.receivedDecision}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        ) : null}
        <Card title="Details">
          <dl className="grid grid-cols-1 gap-2 text-sm sm:grid-cols-3">
            {facts.map(([k, v]) => <div key={k}><dt className="text-xs text-slate-500">{k}</dt><dd>{v}</dd></div>)}
          </dl>
        </Card>
      </div>
    </>
  );
}
