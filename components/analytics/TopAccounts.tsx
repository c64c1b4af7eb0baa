import { AppLink } from '@/components/ui/AppLink';

import { formatCount, formatRate } from './format';
import type { AccountListRow } from '@/lib/analytics/accounts';

export type TopAccountRow = Omit<AccountListRow, 'firstSeen' | 'lastSeen'>;

/** The accounts with the most blocked decisions under the current filters, each a link to its drill-down. */
export function TopAccounts({ rows, total, carry, allHref }: { rows: TopAccountRow[]; total: number; carry: string; allHref: string }) {
  return (
    <section aria-labelledby="top-accounts-title" className="rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900">
      <div className="mb-3 flex items-baseline justify-between gap-3">
        <h2 id="top-accounts-title" className="text-sm font-semibold text-slate-800 dark:text-slate-200">
          Accounts with the most blocked decisions
          <span className="ml-2 font-normal text-slate-500">({rows.length} of {formatCount(total)})</span>
        </h2>
        <AppLink href={allHref} className="text-sm text-sky-700 underline dark:text-sky-400">All {formatCount(total)} accounts</AppLink>
      </div>
      <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="top-accounts">
          <caption className="sr-only">Accounts with the most blocked decisions</caption>
          <thead className="text-left text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
            <tr>
              <th scope="col" className="px-2 py-1.5 font-medium">Account</th>
              <th scope="col" className="px-2 py-1.5 text-right font-medium">Blocked</th>
              <th scope="col" className="px-2 py-1.5 text-right font-medium">Allowed</th>
              <th scope="col" className="px-2 py-1.5 text-right font-medium">Block rate</th>
              <th scope="col" className="px-2 py-1.5 font-medium">Regions</th>
              <th scope="col" className="px-2 py-1.5 font-medium">Channels</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.id} className="border-t border-slate-100 dark:border-slate-800" data-testid="top-account-row" data-channels={a.channels.join(' ')}>
                <td className="px-2 py-1.5">
                  <AppLink className="font-medium text-sky-700 underline dark:text-sky-400" href={`/accounts/${encodeURIComponent(a.id)}${carry ? `?${carry}` : ''}`}>
                    {a.name ?? a.id}
                  </AppLink>
                  {a.name ? <span className="ml-2 font-mono text-xs text-slate-500">{a.id}</span> : null}
                </td>
                <td className="px-2 py-1.5 text-right tabular-nums">{formatCount(a.blocked)}</td>
                <td className="px-2 py-1.5 text-right tabular-nums">{formatCount(a.allowed)}</td>
                <td className="px-2 py-1.5 text-right tabular-nums">{formatRate(a.blockRate)}</td>
                <td className="px-2 py-1.5">{a.regions.join(', ')}</td>
                <td className="px-2 py-1.5">{a.channels.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
