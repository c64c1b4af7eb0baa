import { Shell } from '@/components/shell/Shell';
import type { NavItem } from '@/components/shell/NavLinks';
import { dimensionValues } from '@/lib/analytics/catalog';
import { requirePageUser } from '@/lib/auth/request';
import { headers } from 'next/headers';

import { PAGE_ACCESS, pageAccessFor, type PagePath } from '@/lib/auth/access';
import { hasRole } from '@/lib/auth/roles';
import type { Role } from '@/lib/generated/prisma/enums';
import { prisma } from '@/lib/db/client';
import { PATHNAME_HEADER } from '@/lib/security/request-guard';

import { setThemeAction, signOutAction } from '../(auth)/actions';

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  // The page's own rule, checked here too: a page that streams (loading.tsx) has sent its
  // 200 before its own check could answer 403.
  const access = pageAccessFor((await headers()).get(PATHNAME_HEADER) ?? '');
  const user = await requirePageUser(access && access !== 'public' ? access : 'viewer');
  const choices = await dimensionValues(prisma());
  const nav: NavItem[] = [
    { href: '/overview', label: 'Overview' },
    { href: '/breakdown', label: 'Breakdown' },
    { href: '/violations', label: 'Violations' },
    { href: '/divergence', label: 'Divergence' },
    { href: '/accounts', label: 'Accounts' },
    { href: '/decisions', label: 'Decisions' },
    { href: '/uploads', label: 'Uploads' },
    { href: '/policies', label: 'Policies' },
    { href: '/audit', label: 'Audit' },
    { href: '/settings', label: 'Settings' },
  ].filter((item) => hasRole(user.role, PAGE_ACCESS[item.href as PagePath] as Role));
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
