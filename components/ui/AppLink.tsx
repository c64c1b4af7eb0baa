import Link from 'next/link';
import type { ComponentProps } from 'react';

/**
 * Every in-app link. Never prefetched: each page is dynamic (its data is the database's),
 * and Next.js prefetches every link in view, so a page of 50 account rows and the nav set
 * off ~30 server renders of other pages, each with the dashboard's queries, competing with
 * the page being read (at 10M rows on 2 cores it doubled the pages' time to their content).
 * A click renders the page then, streaming from its loading state.
 */
export function AppLink(props: Omit<ComponentProps<typeof Link>, 'prefetch'>) {
  return <Link {...props} prefetch={false} />;
}
