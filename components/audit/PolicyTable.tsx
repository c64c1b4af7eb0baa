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
}

const columns: ColumnDef<PolicyRow, unknown>[] = [
  { id: 'effectiveFrom', header: 'Effective from (UTC)', cell: ({ row }) => row.original.effectiveFrom.slice(0, 10) },
  { id: 'effectiveTo', header: 'Until', enableSorting: false, cell: ({ row }) => row.original.effectiveTo?.slice(0, 10) ?? 'open' },
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
