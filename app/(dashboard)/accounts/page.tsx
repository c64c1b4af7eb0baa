import type { Metadata } from 'next';

import { EmptyState, PageTitle } from '@/components/ui/EmptyState';
import { requirePageUser } from '@/lib/auth/request';

export const metadata: Metadata = { title: 'Accounts' };

// Not built yet: tracked in issue #4. The page exists so that navigation and role
// checks are in place from the start.
export default async function AccountsPage() {
  await requirePageUser('viewer');
  return (
    <>
      <PageTitle title="Accounts" />
      <EmptyState title="This view is not built yet">It is planned in issue #4.</EmptyState>
    </>
  );
}
