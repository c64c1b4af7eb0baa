'use client';

import type { ColumnDef } from '@tanstack/react-table';
import { AppLink } from '@/components/ui/AppLink';

import { DataTable, type ServerPage } from '@/components/tables/DataTable';
import type { BatchJson } from '@/lib/ingest/batches';

const nf = new Intl.NumberFormat('en');

const STATUS_TONE: Record<BatchJson['status'], string> = {
  complete: 'text-allowed',
  failed: 'text-blocked',
  processing: 'text-sky-600',
  duplicate: 'text-slate-500',
};

const columns: ColumnDef<BatchJson, unknown>[] = [
  { id: 'startedAt', header: 'Started (UTC)', cell: ({ row }) => row.original.startedAt.replace('T', ' ').slice(0, 19) },
  { id: 'fileName', header: 'File', cell: ({ row }) => <AppLink className="underline" href={`/uploads/${row.original.id}`}>{row.original.fileName}</AppLink> },
  { id: 'status', header: 'Status', cell: ({ row }) => <span className={STATUS_TONE[row.original.status]}>{row.original.status}</span> },
  { id: 'uploadedBy', header: 'Who', enableSorting: false, cell: ({ row }) => row.original.uploadedBy ?? '–' },
  { id: 'rows', header: 'Rows', cell: ({ row }) => nf.format(row.original.rows) },
  { id: 'accepted', header: 'Accepted', enableSorting: false, cell: ({ row }) => nf.format(row.original.accepted) },
  { id: 'rejected', header: 'Rejected', cell: ({ row }) => nf.format(row.original.rejected) },
  { id: 'duplicates', header: 'Duplicates', enableSorting: false, cell: ({ row }) => nf.format(row.original.duplicates) },
  { id: 'conflicts', header: 'Conflicts', enableSorting: false, cell: ({ row }) => nf.format(row.original.conflicts) },
  { id: 'sha256', header: 'SHA-256', enableSorting: false,
    cell: ({ row }) => row.original.sha256 ? <code title={row.original.sha256} className="text-xs">{row.original.sha256.slice(0, 12)}…</code> : '–' },
];

export function BatchTable({ rows, page, sort }: { rows: BatchJson[]; page: ServerPage; sort: string }) {
  return <DataTable columns={columns} data={rows} page={page} sort={sort} caption="Ingested batches" />;
}
