import { AppLink } from '@/components/ui/AppLink';

import { DecisionLogTable, type DecisionRow } from '@/components/tables/DecisionLogTable';

/** The decisions found for one request id (every provider, any time: the filters do not apply). */
export function RequestLookup({ requestId, rows, backHref, tz }: { requestId: string; rows: DecisionRow[]; backHref: string; tz: string }) {
  return (
    <section aria-label="Request id lookup" className="rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900">
      <div className="mb-3 flex items-baseline justify-between gap-3">
        <h2 className="text-sm font-semibold">
          {rows.length ? `${rows.length} decision${rows.length > 1 ? 's' : ''} with request id ` : 'No decision with request id '}
          <code>{requestId}</code>
        </h2>
        <AppLink className="text-sm text-sky-700 underline dark:text-sky-400" href={backHref}>Back to the log</AppLink>
      </div>
      {rows.length ? <DecisionLogTable rows={rows} tz={tz} caption={`Decisions with request id ${requestId}`} /> : null}
      <p className="mt-3 text-xs text-slate-600 dark:text-slate-400">
        Request ids are matched exactly, for every provider and at any time: the filters do not apply to a lookup.
      </p>
    </section>
  );
}
