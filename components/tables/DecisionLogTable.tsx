'use client';

import type { ColumnDef } from '@tanstack/react-table';
import { AppLink } from '@/components/ui/AppLink';
import { usePathname, useSearchParams } from 'next/navigation';

import { formatTime } from '@/components/analytics/format';
import { href, withParams } from '@/components/filters/params';

import { AccountLink } from './AccountsTable';
import { DataTable } from './DataTable';
import type { DecisionRecord } from '@/lib/analytics/decisions';

/** One decision as the log shows it. */
export type DecisionRow = DecisionRecord;

export function DecisionBadge({ decision }: { decision: 'allowed' | 'blocked' }) {
  return (
    <span className={`inline-block rounded px-1.5 py-0.5 text-xs font-semibold ${decision === 'blocked'
      ? 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300' : 'bg-green-100 text-green-800 dark:bg-green-950 dark:text-green-300'}`}>
      {decision}
    </span>
  );
}

/** The raw decision log, newest first; "Details" opens the drawer (the `open` URL parameter). */
export function DecisionLogTable({ rows, tz, showAccount = true, footer, caption = 'Decision log' }: {
  rows: DecisionRow[];
  tz: string;
  showAccount?: boolean;
  footer?: React.ReactNode;
  caption?: string;
}) {
  const pathname = usePathname();
  const params = useSearchParams();
  const columns: ColumnDef<DecisionRow, unknown>[] = [
    { id: 'occurredAt', header: `Time (${tz})`, cell: ({ row }) => <span className="whitespace-nowrap tabular-nums">{formatTime(row.original.occurredAt, tz, true)}</span> },
    { id: 'decision', header: 'Decision', cell: ({ row }) => <DecisionBadge decision={row.original.decision} /> },
    ...(showAccount ? [{ id: 'account', header: 'Account', cell: ({ row }) => (
      <AccountLink id={row.original.accountId}>{row.original.accountName ?? row.original.accountId}</AccountLink>
    ) } satisfies ColumnDef<DecisionRow, unknown>] : []),
    { id: 'callerRegion', header: 'Region', accessorKey: 'callerRegion' },
    { id: 'provider', header: 'Provider', accessorKey: 'provider' },
    { id: 'channel', header: 'Channel', accessorKey: 'channel' },
    { id: 'reason', header: 'Reason', cell: ({ row }) => row.original.reason ?? <span className="text-slate-400">–</span> },
    { id: 'policy', header: 'Policy in force', cell: ({ row }) => {
      const p = row.original.policy;
      if (!p) return <span className="text-slate-400">–</span>;
      return <span className={p.violation ? 'font-semibold text-blocked' : ''} title={p.note ?? undefined}>{p.status}{p.violation ? ' (violation)' : ''}</span>;
    } },
    { id: 'model', header: 'Model', cell: ({ row }) => row.original.model ?? <span className="text-slate-400">–</span> },
    { id: 'requestId', header: 'Request id', cell: ({ row }) => <code className="text-xs">{row.original.requestId}</code> },
    { id: 'details', header: () => <span className="sr-only">Details</span>, cell: ({ row }) => (
      <AppLink scroll={false} className="text-sky-700 underline dark:text-sky-400" aria-label={`Details of request ${row.original.requestId}`}
        href={href(pathname, withParams(new URLSearchParams(params), { open: row.original.id }, true))}>
        Details
      </AppLink>
    ) },
  ];
  return <DataTable columns={columns} data={rows} caption={caption} footer={footer} rowTestId={() => 'decision-row'} />;
}

/**
 * Keyset paging: `cursor` is where this page starts, `trail` the cursors of the pages
 * before it, so "Newer" walks back without a reverse query.
 */
export function KeysetPager({ nextCursor, cursor, trail, shown }: { nextCursor: string | null; cursor: string | null; trail: string[]; shown: number }) {
  const pathname = usePathname();
  const params = new URLSearchParams(useSearchParams());
  const at = (c: string | null, t: string[]) => href(pathname, withParams(params, { cursor: c, trail: t.length ? t.join(',') : null, open: null }, true));
  const page = cursor ? trail.length + 2 : 1;
  const link = 'rounded-md border border-slate-300 px-2.5 py-1 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800';
  return (
    <nav aria-label="Decision log pages" className="mt-3 flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600 dark:text-slate-400">
      <span>Page {page} · {shown} decisions, newest first</span>
      <span className="flex items-center gap-2">
        {cursor ? <AppLink className={link} href={at(null, [])} scroll={false}>Newest</AppLink> : null}
        {cursor ? <AppLink className={link} href={at(trail[trail.length - 1] ?? null, trail.slice(0, -1))} scroll={false}>Newer</AppLink> : <span aria-disabled className="px-2.5 py-1 opacity-50">Newer</span>}
        {nextCursor ? <AppLink className={link} href={at(nextCursor, cursor ? [...trail, cursor] : trail)} scroll={false}>Older</AppLink> : <span aria-disabled className="px-2.5 py-1 opacity-50">Older (end of log)</span>}
      </span>
    </nav>
  );
}
