import type { Metadata } from 'next';

import { EmptyState, PageTitle } from '@/components/ui/EmptyState';
import { requirePageUser } from '@/lib/auth/request';

export const metadata: Metadata = { title: 'Uploads' };

// Not built yet: tracked in issue #3. The page exists so that navigation and role
// checks are in place from the start.
export default async function UploadsPage() {
  await requirePageUser('analyst');
  return (
    <>
      <PageTitle title="Uploads" />
      <EmptyState title="This view is not built yet">It is planned in issue #3.</EmptyState>
    </>
  );
}
