'use client';

import { useLinkStatus } from 'next/link';

/**
 * Shown inside a link while the page it leads to renders: the views that answer from one
 * fast query have no loading state of their own (see AppLink), so without it a click on a
 * slow range would look dead.
 */
export function LinkPending() {
  const { pending } = useLinkStatus();
  if (!pending) return null;
  return (
    <span role="status" data-testid="link-pending">
      <span aria-hidden className="ml-1 inline-block size-1.5 animate-pulse rounded-full bg-sky-500 align-middle" />
      <span className="sr-only">Loading…</span>
    </span>
  );
}
