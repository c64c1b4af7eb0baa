import type { Metadata } from 'next';

import { CreateUserForm } from '@/components/settings/CreateUserForm';
import { TokensPanel } from '@/components/settings/TokensPanel';
import { UsersTable } from '@/components/settings/UsersTable';
import { Card, PageTitle } from '@/components/ui/EmptyState';
import { listApiTokens } from '@/lib/auth/api-tokens';
import { requirePage } from '@/lib/auth/request';
import { ROLE_DESCRIPTIONS, ROLES } from '@/lib/auth/roles';
import { listUsers } from '@/lib/auth/users';
import { prisma } from '@/lib/db/client';
import { parsePageParams } from '@/lib/pagination';

import { changeRoleAction, createTokenAction, createUserAction, revokeTokenAction, setDisabledAction } from './actions';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const admin = await requirePage('/settings');
  const params = parsePageParams(await searchParams, ['email', 'role', 'createdAt'], 'email', 25);
  const [users, tokens] = await Promise.all([listUsers(prisma(), params), listApiTokens(prisma())]);
  return (
    <>
      <PageTitle title="Settings" subtitle="Users, roles and API tokens. Every change is written to the audit trail." />
      <div className="space-y-6">
        <Card title="Users">
          <UsersTable
            rows={users.rows.map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role,
              createdAt: u.createdAt.toISOString(), disabled: u.disabledAt !== null }))}
            page={{ page: params.page, pageSize: params.pageSize, total: users.total }}
            sort={params.sort}
            currentUserId={admin.user.id}
            onRole={changeRoleAction}
            onDisable={setDisabledAction}
          />
          <div className="mt-5 border-t border-slate-100 pt-4 dark:border-slate-800">
            <CreateUserForm action={createUserAction} />
          </div>
          <ul className="mt-4 text-xs text-slate-500 dark:text-slate-400">
            {ROLES.map((r) => <li key={r}><strong>{r}</strong>: {ROLE_DESCRIPTIONS[r]}</li>)}
          </ul>
        </Card>
        <Card title="API tokens">
          <TokensPanel
            tokens={tokens.map((t) => ({ id: t.id, name: t.name, prefix: t.prefix, role: t.role,
              createdAt: t.createdAt.toISOString(), lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
              revoked: t.revokedAt !== null, expiresAt: t.expiresAt?.toISOString() ?? null, createdBy: t.createdBy?.email ?? null }))}
            create={createTokenAction}
            revoke={revokeTokenAction}
          />
        </Card>
      </div>
    </>
  );
}
