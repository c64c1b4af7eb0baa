'use client';

import type { ColumnDef } from '@tanstack/react-table';

import { formatCount, formatTime } from '@/components/analytics/format';
import type { DivergenceRow } from '@/lib/analytics/divergence';
import type { ViolationAccountRow } from '@/lib/analytics/violation-accounts';
import type { ViolationRecord } from '@/lib/analytics/violations';

import { AccountLink } from './AccountsTable';
import { DataTable, type ServerPage } from './DataTable';

const time = (iso: string, tz: string) => <span className="whitespace-nowrap tabular-nums">{formatTime(iso, tz)}</span>;
const account = (id: string, name: string | null) => (
  <div className="min-w-40">
    <AccountLink id={id}>{name ?? id}</AccountLink>
    {name ? <div className="font-mono text-xs text-slate-500">{id}</div> : null}
  </div>
);

/** Violations per account; sort and pages on the server (URL). */
export function ViolationAccountsTable({ rows, page, sort, tz }: { rows: ViolationAccountRow[]; page: ServerPage; sort: string; tz: string }) {
  const columns: ColumnDef<ViolationAccountRow, unknown>[] = [
    { id: 'accountId', header: 'Account', meta: { ascendingFirst: true }, cell: ({ row }) => account(row.original.accountId, row.original.accountName) },
    { id: 'total', header: 'Violations', meta: { numeric: true }, cell: ({ row }) => formatCount(row.original.total) },
    { id: 'allowedUnsupported', header: 'Allowed while unsupported', meta: { numeric: true }, cell: ({ row }) => formatCount(row.original.allowedUnsupported) },
    { id: 'blockedSupported', header: 'Blocked while supported', meta: { numeric: true }, cell: ({ row }) => formatCount(row.original.blockedSupported) },
    { id: 'channels', header: 'Provider / channel', enableSorting: false, cell: ({ row }) => row.original.channels.join(', ') },
    { id: 'lastAt', header: `Last (${tz})`, cell: ({ row }) => time(row.original.lastAt, tz) },
  ];
  return <DataTable columns={columns} data={rows} page={page} sort={sort} caption="Violations per account" rowTestId={() => 'violation-account-row'} />;
}

/** The violating decisions with the policy version each contradicts. */
export function ViolationListTable({ rows, page, tz }: { rows: ViolationRecord[]; page: ServerPage; tz: string }) {
  const columns: ColumnDef<ViolationRecord, unknown>[] = [
    { id: 'occurredAt', header: `Time (${tz})`, enableSorting: false, cell: ({ row }) => time(row.original.occurredAt, tz) },
    { id: 'account', header: 'Account', enableSorting: false, cell: ({ row }) => account(row.original.accountId, row.original.accountName) },
    { id: 'route', header: 'Region / provider / channel', enableSorting: false,
      cell: ({ row }) => `${row.original.callerRegion} · ${row.original.provider} / ${row.original.channel}` },
    { id: 'decision', header: 'Decision', enableSorting: false,
      cell: ({ row }) => <span className={row.original.decision === 'blocked' ? 'text-blocked' : 'text-allowed'}>{row.original.decision}</span> },
    { id: 'policy', header: 'Policy in force', enableSorting: false, cell: ({ row }) => (
      <span>#{row.original.policyId} {row.original.policyStatus} ({row.original.policyChannel ?? 'every channel'}) from {row.original.policyFrom.slice(0, 10)}</span>
    ) },
    { id: 'requestId', header: 'Request id', enableSorting: false, cell: ({ row }) => <span className="font-mono text-xs">{row.original.requestId}</span> },
  ];
  return <DataTable columns={columns} data={rows} page={page} caption="Violating decisions" rowTestId={() => 'violation-row'} />;
}

const routes = (rs: { route: string; count: number }[]) => rs.map((r) => `${r.route} (${formatCount(r.count)})`).join(', ');

/** Accounts blocked on one channel and allowed on another, ranked. */
export function DivergenceTable({ rows, page, sort, tz }: { rows: DivergenceRow[]; page: ServerPage; sort: string; tz: string }) {
  const columns: ColumnDef<DivergenceRow, unknown>[] = [
    { id: 'accountId', header: 'Account', meta: { ascendingFirst: true }, cell: ({ row }) => account(row.original.accountId, row.original.accountName) },
    { id: 'region', header: 'Region', enableSorting: false, cell: ({ row }) => row.original.callerRegion },
    { id: 'allowedAfterBlock', header: 'Allowed after a block', meta: { numeric: true }, cell: ({ row }) => formatCount(row.original.allowedAfterBlock) },
    { id: 'blockedRoutes', header: 'Blocked on', enableSorting: false, cell: ({ row }) => <span className="text-blocked">{routes(row.original.blockedRoutes)}</span> },
    { id: 'allowedRoutes', header: 'Allowed on', enableSorting: false, cell: ({ row }) => <span className="text-allowed">{routes(row.original.allowedRoutes)}</span> },
    { id: 'firstBlockAt', header: `First block (${tz})`, cell: ({ row }) => time(row.original.firstBlockAt, tz) },
  ];
  return <DataTable columns={columns} data={rows} page={page} sort={sort} caption="Channel divergence" rowTestId={() => 'divergence-row'} />;
}
