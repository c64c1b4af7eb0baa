'use client';

import type { ColumnDef } from '@tanstack/react-table';

import { DataTable, type ServerPage } from '@/components/tables/DataTable';

export interface AuditRow {
  id: string;
  seq: string | null;
  at: string;
  actorLabel: string;
  actorType: string;
  action: string;
  target: string | null;
  details: string;
  ip: string | null;
  hash: string | null;
}

const columns: ColumnDef<AuditRow, unknown>[] = [
  { id: 'seq', header: '#', enableSorting: false, cell: ({ row }) => row.original.seq ?? 'off chain' },
  { id: 'at', header: 'When (UTC)', cell: ({ row }) => row.original.at.replace('T', ' ').slice(0, 19) },
  { id: 'actorLabel', header: 'Who', cell: ({ row }) => `${row.original.actorLabel} (${row.original.actorType})` },
  { id: 'action', header: 'Action', accessorKey: 'action' },
  { id: 'target', header: 'Target', accessorKey: 'target', enableSorting: false },
  { id: 'details', header: 'Details', enableSorting: false,
    cell: ({ row }) => <code className="break-all text-xs">{row.original.details}</code> },
  { id: 'ip', header: 'IP', accessorKey: 'ip', enableSorting: false },
  { id: 'hash', header: 'Hash', enableSorting: false,
    cell: ({ row }) => <code className="font-mono text-xs" title={row.original.hash ?? ''}>{row.original.hash?.slice(0, 12) ?? ''}</code> },
];

export function AuditTable({ rows, page, sort }: { rows: AuditRow[]; page: ServerPage; sort: string }) {
  return <DataTable columns={columns} data={rows} page={page} sort={sort} caption="Audit trail" />;
}
