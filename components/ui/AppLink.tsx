import Link from 'next/link';
import type { ComponentProps } from 'react';

import { LinkPending } from './LinkPending';

/**
 * Every in-app link. Never prefetched: each page is dynamic (its data is the database's),
 * and Next.js prefetches every link in view, so a page of 50 account rows and the nav set
 * off ~30 server renders of other pages, each with the dashboard's queries, competing with
 * the page being read (at 10M rows on 2 cores it doubled the pages' time to their content).
 *
 * A click renders the page then. Views whose main content is one fast query (accounts,
 * an account, breakdown, decisions) have no loading.tsx: a Suspense boundary around the
 * page would hold its content back until React reveals it, at least 300 ms after the first
 * paint (React's reveal throttle; react/react#33076), where their queries take ~100 ms.
 * So the link itself shows that it is pending.
 */
export function AppLink({ children, ...props }: Omit<ComponentProps<typeof Link>, 'prefetch'>) {
  return (
    <Link {...props} prefetch={false}>
      {children}
      <LinkPending />
    </Link>
  );
}
