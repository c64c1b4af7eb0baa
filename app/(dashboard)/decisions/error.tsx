'use client';

import { ViewError } from '@/components/analytics/ViewError';

export default function DecisionsError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ViewError error={error} retry={retry} view="Decisions" />;
}
