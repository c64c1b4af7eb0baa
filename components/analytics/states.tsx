import { AppLink } from '@/components/ui/AppLink';

// The three states every view has besides its data: nothing stored yet, nothing
// matching the filters, and a URL that cannot be read. Each says why and what to do.

const box = 'rounded-xl border border-dashed border-slate-300 p-10 text-center dark:border-slate-700';
const action = 'mt-4 inline-block rounded-md bg-sky-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-sky-800 focus-visible:outline-2';

export function NoDataState() {
  return (
    <div role="status" className={box} data-testid="state-no-data">
      <h2 className="text-lg font-semibold">No decisions yet</h2>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        Gatewatch has not stored any access decision. Upload a log batch on the Uploads page, or load demo data
        with <code>npm run gw -- seed</code>.
      </p>
    </div>
  );
}

export function NoMatchState({ resetHref, what = 'decisions', children }: { resetHref: string; what?: string; children?: React.ReactNode }) {
  return (
    <div role="status" className={box} data-testid="state-no-match">
      <h2 className="text-lg font-semibold">Nothing matches these filters</h2>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        {children ?? <>There are {what} in Gatewatch, but none in this date range with these filters.</>}
      </p>
      <AppLink href={resetHref} className={action}>Reset filters</AppLink>
    </div>
  );
}

/** A URL parameter that cannot be read: say which, keep the URL (and so the filter bar), offer a way out. */
export function BadUrlState({ message, resetHref }: { message: string; resetHref: string }) {
  return (
    <div role="alert" className="rounded-xl border border-amber-300 bg-amber-50 p-8 dark:border-amber-800 dark:bg-amber-950/40" data-testid="state-bad-url">
      <h2 className="text-lg font-semibold">This address has a filter Gatewatch cannot read</h2>
      <p className="mt-2 text-sm">{message}.</p>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">Change it in the filter bar above, or start over.</p>
      <AppLink href={resetHref} className={action}>Reset filters</AppLink>
    </div>
  );
}

export function Skeleton({ className = '' }: { className?: string }) {
  return <div aria-hidden className={`animate-pulse rounded-md bg-slate-200 dark:bg-slate-800 ${className}`} />;
}

export function CardSkeleton({ className = 'h-80' }: { className?: string }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900">
      <Skeleton className="mb-4 h-4 w-48" />
      <Skeleton className={className} />
    </div>
  );
}

