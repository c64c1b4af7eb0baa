import { Shell } from '@/components/shell/Shell';
import type { NavItem } from '@/components/shell/NavLinks';
import { dimensionValues } from '@/lib/analytics/catalog';
import { requirePageUser } from '@/lib/auth/request';
import { hasRole } from '@/lib/auth/roles';
import { prisma } from '@/lib/db/client';

import { setThemeAction, signOutAction } from '../(auth)/actions';

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const user = await requirePageUser('viewer');
  const choices = await dimensionValues(prisma());
  const nav: NavItem[] = [
    { href: '/overview', label: 'Overview' },
    { href: '/breakdown', label: 'Breakdown' },
    { href: '/accounts', label: 'Accounts' },
    { href: '/decisions', label: 'Decisions' },
    ...(hasRole(user.role, 'analyst') ? [{ href: '/uploads', label: 'Uploads' }] : []),
    { href: '/policies', label: 'Policies' },
    { href: '/audit', label: 'Audit' },
    ...(hasRole(user.role, 'admin') ? [{ href: '/settings', label: 'Settings' }] : []),
  ];
  return (
    <Shell
      user={{ email: user.user.email, name: user.user.name, role: user.role }}
      nav={nav}
      choices={choices}
      onSignOut={signOutAction}
      onTheme={setThemeAction}
    >
      {children}
    </Shell>
  );
}
