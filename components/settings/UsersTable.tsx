'use client';

import type { ColumnDef } from '@tanstack/react-table';

import { DataTable, type ServerPage } from '@/components/tables/DataTable';

export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  role: 'viewer' | 'analyst' | 'admin';
  createdAt: string;
  disabled: boolean;
}

export function UsersTable({
  rows,
  page,
  sort,
  currentUserId,
  onRole,
  onDisable,
}: {
  rows: UserRow[];
  page: ServerPage;
  sort: string;
  currentUserId: string;
  onRole: (form: FormData) => Promise<void>;
  onDisable: (form: FormData) => Promise<void>;
}) {
  const columns: ColumnDef<UserRow, unknown>[] = [
    { id: 'email', header: 'Email', accessorKey: 'email' },
    { id: 'name', header: 'Name', accessorKey: 'name', enableSorting: false },
    {
      id: 'role',
      header: 'Role',
      cell: ({ row }) => (
        <form action={onRole} className="flex gap-2">
          <input type="hidden" name="userId" value={row.original.id} />
          <select name="role" defaultValue={row.original.role} aria-label={`Role of ${row.original.email}`}
            className="rounded border border-slate-300 bg-transparent px-1 py-0.5 dark:border-slate-700">
            <option value="viewer">viewer</option>
            <option value="analyst">analyst</option>
            <option value="admin">admin</option>
          </select>
          <button type="submit" className="text-sky-700 underline dark:text-sky-400">Save</button>
        </form>
      ),
    },
    { id: 'createdAt', header: 'Created', cell: ({ row }) => row.original.createdAt.slice(0, 10) },
    {
      id: 'status',
      header: 'Status',
      enableSorting: false,
      cell: ({ row }) =>
        row.original.id === currentUserId ? (
          <span>you</span>
        ) : (
          <form action={onDisable}>
            <input type="hidden" name="userId" value={row.original.id} />
            <input type="hidden" name="disable" value={row.original.disabled ? '0' : '1'} />
            {row.original.disabled ? 'disabled · ' : 'active · '}
            <button type="submit" className="text-sky-700 underline dark:text-sky-400">
              {row.original.disabled ? 'Enable' : 'Disable'}
            </button>
          </form>
        ),
    },
  ];
  return <DataTable columns={columns} data={rows} page={page} sort={sort} caption="Users" />;
}
