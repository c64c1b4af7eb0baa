'use client';

import type { ColumnDef } from '@tanstack/react-table';

import { useFilterMenu } from '@/components/analytics/FilterMenu';
import { formatCount, formatRate } from '@/components/analytics/format';
import { GROUP_LABEL } from '@/components/analytics/labels';
import { rowMenu, type BreakdownChartRow } from '@/components/charts/BreakdownChart';
import type { GroupBy } from '@/lib/analytics/filters';

import { DataTable, type ServerPage } from './DataTable';

/** The pivot: one row per group, sortable and paginated through the URL; a key filters when clicked. */
export function BreakdownTable({ rows, by, by2, page, sort, none }: {
  rows: BreakdownChartRow[];
  by: GroupBy;
  by2: GroupBy | null;
  page: ServerPage;
  sort: string;
  none: string;
}) {
  const menu = useFilterMenu();
  const keyCell = (row: BreakdownChartRow, value: string) => {
    const request = rowMenu(row, by, by2, none);
    return request.targets.length ? (
      <button type="button" className="text-left text-sky-700 underline decoration-dotted underline-offset-2 dark:text-sky-400"
        onClick={(e) => menu.open(e.currentTarget, request)}>
        {value}
      </button>
    ) : <span>{value}</span>;
  };
  const columns: ColumnDef<BreakdownChartRow, unknown>[] = [
    { id: 'key', header: by2 ? `${GROUP_LABEL[by]}, ${GROUP_LABEL[by2].toLowerCase()}` : GROUP_LABEL[by], meta: { ascendingFirst: true },
      cell: ({ row }) => keyCell(row.original, row.original.key2 !== undefined ? `${row.original.key} · ${row.original.key2}` : row.original.key) },
    { id: 'allowed', header: 'Allowed', meta: { numeric: true }, cell: ({ row }) => formatCount(row.original.allowed) },
    { id: 'blocked', header: 'Blocked', meta: { numeric: true }, cell: ({ row }) => formatCount(row.original.blocked) },
    { id: 'total', header: 'Total', meta: { numeric: true }, cell: ({ row }) => formatCount(row.original.total) },
    { id: 'blockRate', header: 'Block rate', meta: { numeric: true }, cell: ({ row }) => formatRate(row.original.blockRate) },
  ];
  return (
    <>
      <DataTable columns={columns} data={rows} page={page} sort={sort} caption="Breakdown"
        rowTestId={(r) => `breakdown-row-${r.key}${r.key2 !== undefined ? `-${r.key2}` : ''}`} />
      {menu.element}
    </>
  );
}
