import { countChange as countChangeOf, formatCount, formatRate, formatTimeInZone, rateChange as rateChangeOf, type Change } from './format';
import type { Headline } from '@/lib/analytics/summary';

export type HeadlineNumbers = Headline;

function Stat({ label, value, change, tone, testId }: { label: string; value: string; change: Change; tone?: 'allowed' | 'blocked'; testId: string }) {
  const arrow = change.tone === 'up' ? '▲' : change.tone === 'down' ? '▼' : '';
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{label}</p>
      <p className={`mt-1 text-2xl font-semibold tabular-nums ${tone === 'allowed' ? 'text-allowed' : tone === 'blocked' ? 'text-blocked' : ''}`} data-testid={`stat-${testId}`}>
        {value}
      </p>
      <p className="mt-1 text-xs text-slate-500 dark:text-slate-400" data-testid={`change-${testId}`}>
        {arrow ? <span aria-hidden>{arrow} </span> : null}
        {change.text}
      </p>
    </div>
  );
}

/** The range's six headline numbers, each against the period of equal length just before. */
export function HeadlineStats({ current, previous, previousFrom, previousTo, tz, coverage }: {
  current: HeadlineNumbers;
  previous: HeadlineNumbers;
  previousFrom: string;
  previousTo: string;
  tz: string;
  coverage: { current: number; previous: number };
}) {
  // A previous period that the data covers less of than this one (the first decisions
  // came later) would show growth that is only the start of the data: say so instead.
  const partial = coverage.previous < coverage.current - 0.01;
  const share = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
  const partialText: Change = { text: coverage.previous === 0 ? 'no data before' : `previous period ${share(coverage.previous)} covered`, tone: 'none' };
  const countChange = (a: number, b: number) => (partial ? partialText : countChangeOf(a, b));
  const rateChange = (a: number | null, b: number | null) => (partial ? partialText : rateChangeOf(a, b));
  return (
    <section aria-label="Headline numbers">
      <div className="grid grid-cols-2 gap-4 md:grid-cols-3 2xl:grid-cols-6">
        <Stat label="Decisions" testId="decisions" value={formatCount(current.decisions)} change={countChange(current.decisions, previous.decisions)} />
        <Stat label="Allowed" testId="allowed" tone="allowed" value={formatCount(current.allowed)} change={countChange(current.allowed, previous.allowed)} />
        <Stat label="Blocked" testId="blocked" tone="blocked" value={formatCount(current.blocked)} change={countChange(current.blocked, previous.blocked)} />
        <Stat label="Block rate" testId="block-rate" value={formatRate(current.blockRate)} change={rateChange(current.blockRate, previous.blockRate)} />
        <Stat label="Accounts" testId="accounts" value={formatCount(current.accounts)} change={countChange(current.accounts, previous.accounts)} />
        <Stat label="Regions" testId="regions" value={formatCount(current.regions)} change={countChange(current.regions, previous.regions)} />
      </div>
      <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
        Changes compare with the previous period of equal length, {formatTimeInZone(previousFrom, tz)} to {formatTimeInZone(previousTo, tz)}
        {partial ? <span data-testid="partial-previous">; the stored decisions cover only {share(coverage.previous)} of it (against {share(coverage.current)} of this range), so no change is shown</span> : null}.
      </p>
    </section>
  );
}
