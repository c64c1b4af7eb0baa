import { AppLink } from '@/components/ui/AppLink';

import type { ViolationSummary } from '@/lib/analytics/violations';

import { countChange, formatCount } from './format';

function Stat({ label, value, previous, testId }: { label: string; value: number; previous: number; testId: string }) {
  const change = countChange(value, previous);
  return (
    <div>
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{label}</p>
      <p className={`mt-1 text-2xl font-semibold tabular-nums ${value > 0 ? 'text-blocked' : ''}`} data-testid={`stat-${testId}`}>{formatCount(value)}</p>
      <p className="mt-1 text-xs text-slate-500 dark:text-slate-400" data-testid={`change-${testId}`}>
        {change.text} (previous period: {formatCount(previous)})
      </p>
    </div>
  );
}

/**
 * Decisions that contradict the policy in force, against the previous period of equal
 * length; `href` links to the Violations view with the same filters.
 */
export function ViolationStats({ summary, href }: { summary: ViolationSummary; href?: string }) {
  const { current, previous } = summary;
  return (
    <section aria-label="Policy violations" className="rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="mb-2 flex items-baseline justify-between gap-3">
        <h2 className="text-sm font-semibold text-slate-700 dark:text-slate-300">Policy violations</h2>
        {href ? <AppLink href={href} className="text-sm text-sky-700 underline dark:text-sky-400">Violations view</AppLink> : null}
      </div>
      <div className="grid grid-cols-2 gap-4 md:grid-cols-4">
        <Stat label="Violations" testId="violations" value={current.total} previous={previous.total} />
        <Stat label="Allowed while unsupported" testId="violations-allowed" value={current.allowedUnsupported} previous={previous.allowedUnsupported} />
        <Stat label="Blocked while supported" testId="violations-blocked" value={current.blockedSupported} previous={previous.blockedSupported} />
        <Stat label="Accounts" testId="violations-accounts" value={current.accounts} previous={previous.accounts} />
      </div>
    </section>
  );
}
