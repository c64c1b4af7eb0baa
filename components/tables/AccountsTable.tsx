'use client';

import type { ColumnDef } from '@tanstack/react-table';
import { AppLink } from '@/components/ui/AppLink';
import { useSearchParams } from 'next/navigation';

import { formatCount, formatRate, formatTime } from '@/components/analytics/format';
import { filterParams } from '@/components/filters/params';

import { DataTable, type ServerPage } from './DataTable';
import type { AccountListRow } from '@/lib/analytics/accounts';

export type AccountRow = AccountListRow;

/** A link to an account's drill-down that keeps the global filters. */
export function AccountLink({ id, children, className }: { id: string; children: React.ReactNode; className?: string }) {
  const params = useSearchParams();
  const carry = filterParams(new URLSearchParams(params)).toString();
  return (
    <AppLink href={`/accounts/${encodeURIComponent(id)}${carry ? `?${carry}` : ''}`} className={className ?? 'font-medium text-sky-700 underline dark:text-sky-400'}>
      {children}
    </AppLink>
  );
}

/** Every account with decisions under the filters; search, sort and pages are server-side (URL). */
export function AccountsTable({ rows, page, sort, tz }: { rows: AccountRow[]; page: ServerPage; sort: string; tz: string }) {
  const columns: ColumnDef<AccountRow, unknown>[] = [
    { id: 'name', header: 'Account', meta: { ascendingFirst: true }, cell: ({ row }) => (
      <div className="min-w-48">
        <AccountLink id={row.original.id}>{row.original.name ?? row.original.id}</AccountLink>
        {row.original.name ? <div className="font-mono text-xs text-slate-500">{row.original.id}</div> : null}
      </div>
    ) },
    { id: 'total', header: 'Decisions', meta: { numeric: true }, cell: ({ row }) => formatCount(row.original.total) },
    { id: 'allowed', header: 'Allowed', meta: { numeric: true }, cell: ({ row }) => formatCount(row.original.allowed) },
    { id: 'blocked', header: 'Blocked', meta: { numeric: true }, cell: ({ row }) => formatCount(row.original.blocked) },
    { id: 'blockRate', header: 'Block rate', meta: { numeric: true }, cell: ({ row }) => formatRate(row.original.blockRate) },
    { id: 'regions', header: 'Regions', enableSorting: false, cell: ({ row }) => row.original.regions.join(', ') },
    { id: 'channels', header: 'Channels', enableSorting: false, cell: ({ row }) => row.original.channels.join(', ') },
    { id: 'firstSeen', header: `First seen (${tz})`, cell: ({ row }) => <span className="whitespace-nowrap tabular-nums">{formatTime(row.original.firstSeen, tz)}</span> },
    { id: 'lastSeen', header: `Last seen (${tz})`, cell: ({ row }) => <span className="whitespace-nowrap tabular-nums">{formatTime(row.original.lastSeen, tz)}</span> },
  ];
  return <DataTable columns={columns} data={rows} page={page} sort={sort} caption="Accounts" rowTestId={() => 'account-row'} />;
}
