'use client';

import { AppLink } from '@/components/ui/AppLink';
import { usePathname, useSearchParams } from 'next/navigation';
import { useEffect } from 'react';

import { href, withoutFilters } from '@/components/filters/params';

/**
 * The error state of a view (rendered by the route's error.tsx). The filter bar lives in
 * the layout above the boundary, so the filters stay as they were; the user can retry
 * the same URL or reset the filters.
 */
export function ViewError({ error, retry, view }: { error: unknown; retry: () => void; view: string }) {
  const pathname = usePathname();
  const params = useSearchParams();
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error instanceof Error && 'digest' in error ? String((error as Error & { digest?: string }).digest ?? '') : '';
  return (
    <div role="alert" className="rounded-xl border border-red-300 bg-red-50 p-8 dark:border-red-900 dark:bg-red-950/40" data-testid="state-error">
      <h1 className="text-lg font-semibold">{view} could not be loaded</h1>
      <p className="mt-2 text-sm">
        Something went wrong while reading the data for these filters. Your filters are kept: try again, or reset them.
      </p>
      {digest ? <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">Reference for the server log: <code>{digest}</code></p> : null}
      <div className="mt-4 flex gap-3">
        <button type="button" onClick={() => retry()} className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-sky-800">
          Try again
        </button>
        <AppLink href={href(pathname, withoutFilters(new URLSearchParams(params)))} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm dark:border-slate-700">
          Reset filters
        </AppLink>
      </div>
    </div>
  );
}
