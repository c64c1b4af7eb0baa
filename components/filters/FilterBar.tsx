'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useTransition } from 'react';

import { FILTER_PARAM_NAMES } from './params';

export interface FilterChoices {
  region: string[];
  provider: string[];
  channel: string[];
}

const RANGES = [
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
  ['90d', 'Last 90 days'],
  ['custom', 'Custom range'],
] as const;

const selectClass =
  'rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900';

/** The global filters. Their whole state lives in the URL, so any view can be shared as a link. */
export function FilterBar({ choices }: { choices: FilterChoices }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [pending, startTransition] = useTransition();

  function update(changes: Record<string, string | null>) {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === '') next.delete(key);
      else next.set(key, value);
    }
    next.delete('page'); // a new filter starts at the first page
    next.delete('cursor');
    startTransition(() => router.push(`${pathname}?${next.toString()}`));
  }

  const custom = params.has('from') || params.has('to');
  const range = custom ? 'custom' : (params.get('range') ?? '30d');
  const toLocalInput = (iso: string | null) => (iso ? iso.slice(0, 16) : '');

  return (
    <form
      role="search"
      aria-label="Filters"
      aria-busy={pending}
      className="flex flex-wrap items-end gap-3"
      onSubmit={(e) => e.preventDefault()}
    >
      <label className="flex flex-col text-xs font-medium text-slate-600 dark:text-slate-400">
        Date range
        <select
          aria-label="Date range"
          className={selectClass}
          value={range}
          onChange={(e) => {
            const value = e.target.value;
            if (value === 'custom') {
              const to = new Date();
              const from = new Date(to.getTime() - 7 * 86_400_000);
              update({ range: null, from: from.toISOString().slice(0, 16), to: to.toISOString().slice(0, 16) });
            } else update({ range: value === '30d' ? null : value, from: null, to: null });
          }}
        >
          {RANGES.map(([value, label]) => (
            <option key={value} value={value}>{label}</option>
          ))}
        </select>
      </label>
      {custom ? (
        <>
          <label className="flex flex-col text-xs font-medium text-slate-600 dark:text-slate-400">
            From (UTC)
            <input type="datetime-local" aria-label="From (UTC)" className={selectClass} defaultValue={toLocalInput(params.get('from'))}
              onBlur={(e) => update({ from: e.target.value })} />
          </label>
          <label className="flex flex-col text-xs font-medium text-slate-600 dark:text-slate-400">
            To (UTC)
            <input type="datetime-local" aria-label="To (UTC)" className={selectClass} defaultValue={toLocalInput(params.get('to'))}
              onBlur={(e) => update({ to: e.target.value })} />
          </label>
        </>
      ) : null}
      {(['region', 'provider', 'channel'] as const).map((name) => (
        <label key={name} className="flex flex-col text-xs font-medium capitalize text-slate-600 dark:text-slate-400">
          {name}
          <select aria-label={name[0]!.toUpperCase() + name.slice(1)} className={selectClass} value={params.get(name) ?? ''} onChange={(e) => update({ [name]: e.target.value })}>
            <option value="">All</option>
            {choices[name].map((v) => (
              <option key={v} value={v}>{v}</option>
            ))}
          </select>
        </label>
      ))}
      <label className="flex flex-col text-xs font-medium text-slate-600 dark:text-slate-400">
        Decision
        <select aria-label="Decision" className={selectClass} value={params.get('decision') ?? ''} onChange={(e) => update({ decision: e.target.value })}>
          <option value="">All</option>
          <option value="allowed">Allowed</option>
          <option value="blocked">Blocked</option>
        </select>
      </label>
      {FILTER_PARAM_NAMES.some((n) => params.has(n)) ? (
        <button type="button" className="rounded-md px-2 py-1.5 text-sm text-sky-700 underline dark:text-sky-400"
          onClick={() => update(Object.fromEntries(FILTER_PARAM_NAMES.map((n) => [n, null])))}>
          Reset filters
        </button>
      ) : null}
    </form>
  );
}
