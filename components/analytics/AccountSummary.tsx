import { formatCount, formatRange, formatRate, formatTimeInZone } from './format';

/** The account's numbers in the range (from its breakdown rows) and when it was first and last seen at all. */
export function AccountSummary({ rows, from, to, firstSeen, lastSeen, tz }: {
  rows: { allowed: number; blocked: number }[];
  from: string;
  to: string;
  firstSeen: string;
  lastSeen: string;
  tz: string;
}) {
  const allowed = rows.reduce((s, r) => s + r.allowed, 0);
  const blocked = rows.reduce((s, r) => s + r.blocked, 0);
  const total = allowed + blocked;
  const item = (label: string, value: React.ReactNode, className = '', testId?: string) => (
    <div><dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt><dd className={className} data-testid={testId}>{value}</dd></div>
  );
  return (
    <dl className="mb-6 grid grid-cols-2 gap-x-6 gap-y-2 rounded-xl border border-slate-200 bg-white p-4 text-sm md:grid-cols-3 2xl:grid-cols-6 dark:border-slate-800 dark:bg-slate-900" data-testid="account-summary">
      {item('Range', formatRange(from, to, tz), '', 'range-label')}
      {item('Decisions in range', formatCount(total), 'font-semibold tabular-nums', 'account-decisions')}
      {item('Allowed', formatCount(allowed), 'font-semibold tabular-nums text-allowed')}
      {item('Blocked', `${formatCount(blocked)} (${formatRate(total ? blocked / total : null)})`, 'font-semibold tabular-nums text-blocked')}
      {item('First seen (ever)', formatTimeInZone(firstSeen, tz), 'tabular-nums')}
      {item('Last seen (ever)', formatTimeInZone(lastSeen, tz), 'tabular-nums')}
    </dl>
  );
}
