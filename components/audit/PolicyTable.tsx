'use client';

import type { ColumnDef } from '@tanstack/react-table';

import type { PolicyStatus } from '@/lib/policy/in-force';

import { DataTable, type ServerPage } from '@/components/tables/DataTable';

export interface PolicyRow {
  id: number;
  provider: string;
  channel: string | null;
  region: string;
  status: PolicyStatus;
  effectiveFrom: string;
  effectiveTo: string | null;
  note: string | null;
  supersedesId: number | null;
}

const utc = (iso: string) => (iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 16).replace('T', ' '));

const columns: ColumnDef<PolicyRow, unknown>[] = [
  { id: 'id', header: 'Version', enableSorting: false,
    cell: ({ row }) => `#${row.original.id}${row.original.supersedesId ? ` (supersedes #${row.original.supersedesId})` : ''}` },
  { id: 'effectiveFrom', header: 'Effective from (UTC)', cell: ({ row }) => utc(row.original.effectiveFrom) },
  { id: 'effectiveTo', header: 'Until', enableSorting: false, cell: ({ row }) => (row.original.effectiveTo ? utc(row.original.effectiveTo) : 'open') },
  { id: 'provider', header: 'Provider', accessorKey: 'provider' },
  { id: 'channel', header: 'Channel', enableSorting: false, cell: ({ row }) => row.original.channel ?? 'all channels' },
  { id: 'region', header: 'Region', accessorKey: 'region' },
  { id: 'status', header: 'Status', enableSorting: false,
    cell: ({ row }) => <span className={row.original.status === 'unsupported' ? 'text-blocked' : row.original.status === 'supported' ? 'text-allowed' : ''}>{row.original.status}</span> },
  { id: 'note', header: 'Note', accessorKey: 'note', enableSorting: false },
];

export function PolicyTable({ rows, page, sort }: { rows: PolicyRow[]; page: ServerPage; sort: string }) {
  return <DataTable columns={columns} data={rows} page={page} sort={sort} caption="Region policies" />;
}
