'use client';

import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type RowData,
  type SortingState,
} from '@tanstack/react-table';
import { AppLink } from '@/components/ui/AppLink';
import { usePathname, useSearchParams } from 'next/navigation';

declare module '@tanstack/react-table' {
  interface ColumnMeta<TData extends RowData, TValue> {
    /** Numbers align right (and use tabular figures). */
    numeric?: boolean;
    /** Sorting this column starts ascending (text) rather than descending (numbers, dates). */
    ascendingFirst?: boolean;
  }
}

export interface ServerPage {
  page: number;
  pageSize: number;
  total: number;
}

/**
 * A TanStack table whose sorting and pagination happen on the server: both live in the
 * URL (`sort=column` / `sort=-column`, `page=N`), so every state is a shareable link.
 * Without `page` there is no page navigation (a keyset log brings its own, as `footer`).
 */
export function DataTable<Row>({
  columns,
  data,
  page,
  sort,
  caption,
  footer,
  rowTestId,
  stickyHeader = false,
}: {
  columns: ColumnDef<Row, unknown>[];
  data: Row[];
  page?: ServerPage;
  sort?: string;
  caption: string;
  footer?: React.ReactNode;
  rowTestId?: (row: Row) => string;
  stickyHeader?: boolean;
}) {
  const pathname = usePathname();
  const params = useSearchParams();
  const sorting: SortingState = sort ? [{ id: sort.replace(/^-/, ''), desc: sort.startsWith('-') }] : [];
  const pages = page ? Math.max(1, Math.ceil(page.total / page.pageSize)) : 1;
  const table = useReactTable({
    data,
    columns,
    state: { sorting },
    manualSorting: true,
    manualPagination: true,
    enableSorting: sort !== undefined,
    pageCount: pages,
    getCoreRowModel: getCoreRowModel(),
  });
  const href = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) (v === null ? next.delete(k) : next.set(k, v));
    return `${pathname}?${next.toString()}`;
  };
  const first = !page || page.total === 0 ? 0 : (page.page - 1) * page.pageSize + 1;
  const last = page ? Math.min(page.total, page.page * page.pageSize) : 0;
  return (
    <div>
      <div className="overflow-x-auto">
        <table className="w-full text-sm">
          <caption className="sr-only">{caption}</caption>
          <thead className={`text-left text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400 ${stickyHeader ? 'sticky top-0 bg-white dark:bg-slate-900' : ''}`}>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const meta = header.column.columnDef.meta;
                  const sortable = sort !== undefined && header.column.getCanSort() && header.column.columnDef.enableSorting !== false;
                  const state = header.column.getIsSorted();
                  const label = flexRender(header.column.columnDef.header, header.getContext());
                  const firstSort = meta?.ascendingFirst ? header.id : `-${header.id}`;
                  const nextSort = state === false ? firstSort : state === 'desc' ? header.id : `-${header.id}`;
                  return (
                    <th key={header.id} scope="col" className={`px-2 py-2 font-medium ${meta?.numeric ? 'text-right' : ''}`}
                      aria-sort={state === 'asc' ? 'ascending' : state === 'desc' ? 'descending' : undefined}>
                      {sortable ? (
                        <AppLink className="hover:underline" href={href({ sort: nextSort, page: null })} scroll={false}>
                          {label}{state === 'asc' ? ' ▲' : state === 'desc' ? ' ▼' : ''}
                        </AppLink>
                      ) : label}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} className="border-t border-slate-100 dark:border-slate-800" data-testid={rowTestId?.(row.original)}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={`px-2 py-2 align-top ${cell.column.columnDef.meta?.numeric ? 'text-right tabular-nums' : ''}`}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {page ? (
        <nav aria-label="Pagination" className="mt-3 flex items-center justify-between text-sm text-slate-600 dark:text-slate-400">
          <span>{first}–{last} of {new Intl.NumberFormat('en').format(page.total)}</span>
          <span className="flex gap-3">
            {page.page > 1 ? <AppLink className="underline" href={href({ page: String(page.page - 1) })} scroll={false}>Previous</AppLink> : <span aria-disabled>Previous</span>}
            <span>Page {page.page} of {pages}</span>
            {page.page < pages ? <AppLink className="underline" href={href({ page: String(page.page + 1) })} scroll={false}>Next</AppLink> : <span aria-disabled>Next</span>}
          </span>
        </nav>
      ) : null}
      {footer}
    </div>
  );
}
