'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useId, useOptimistic, useRef, useState, useTransition } from 'react';

import { toWallTimeInput, zonedWallTimeToUtc } from '@/components/analytics/format';

import {
  DIMENSION_LABEL,
  FILTER_DIMENSIONS,
  hasActiveFilters,
  href,
  listParam,
  withDimension,
  withoutFilters,
  withParams,
  type FilterDimension,
} from './params';

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

/** Zones offered besides the browser's own and whatever the URL holds. */
export const COMMON_ZONES = [
  'UTC', 'Asia/Shanghai', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Europe/Berlin',
  'Asia/Tokyo', 'Asia/Singapore', 'Asia/Kolkata', 'Australia/Sydney',
] as const;

const field = 'rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100';
const caption = 'flex flex-col gap-0.5 text-xs font-medium text-slate-600 dark:text-slate-400';

/**
 * The global filters: date range (preset or custom, in the chosen zone), region,
 * provider, channel and decision (each multi-select with an exclude mode) and the time
 * zone. Their whole state lives in the URL, so any view can be shared as a link.
 */
export function FilterBar({ choices }: { choices: FilterChoices }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [pending, startTransition] = useTransition();
  const current = new URLSearchParams(params);
  const go = (next: URLSearchParams) => startTransition(() => router.push(href(pathname, next), { scroll: false }));

  const tz = params.get('tz') ?? 'UTC';
  const custom = params.has('from') || params.has('to');
  const [range, setRange] = useOptimistic(custom ? 'custom' : (params.get('range') ?? '30d'));
  const values: Record<FilterDimension, string[]> = { ...choices, decision: ['allowed', 'blocked'] };

  return (
    <form role="search" aria-label="Filters" aria-busy={pending} className="flex flex-wrap items-end gap-x-3 gap-y-2" onSubmit={(e) => e.preventDefault()}>
      <label className={caption}>
        Date range
        <select
          aria-label="Date range"
          className={field}
          value={range}
          onChange={(e) => {
            const value = e.target.value;
            startTransition(() => {
              setRange(value);
              if (value === 'custom') {
                // Start from the preset shown, as whole minutes.
                const to = new Date(Math.floor(Date.now() / 60_000) * 60_000);
                const days = range === '24h' ? 1 : range === '7d' ? 7 : range === '90d' ? 90 : 30;
                const from = new Date(to.getTime() - days * 86_400_000);
                go(withParams(current, { range: null, from: isoMinute(from), to: isoMinute(to) }));
              } else go(withParams(current, { range: value === '30d' ? null : value, from: null, to: null }));
            });
          }}
        >
          {RANGES.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
        </select>
      </label>
      {custom ? <CustomRange key={`${params.get('from')}|${params.get('to')}|${tz}`} tz={tz} from={params.get('from')} to={params.get('to')}
        onApply={(from, to) => go(withParams(current, { range: null, from, to }))} /> : null}
      {FILTER_DIMENSIONS.filter((d) => d !== 'decision').map((dimension) => (
        <DimensionPicker
          key={dimension}
          dimension={dimension}
          choices={values[dimension]}
          include={listParam(current, dimension)}
          exclude={listParam(current, `not_${dimension}`)}
          onChange={(include, exclude) => go(withDimension(current, dimension, include, exclude))}
        />
      ))}
      <DecisionSelect include={listParam(current, 'decision')} exclude={listParam(current, 'not_decision')}
        onChange={(include, exclude) => go(withDimension(current, 'decision', include, exclude))} />
      <TimeZoneSelect tz={tz} onChange={(zone) => go(withParams(current, { tz: zone === 'UTC' ? null : zone }, true))} />
      {hasActiveFilters(current) ? (
        <button type="button" className="rounded-md px-2 py-1.5 text-sm font-medium text-sky-700 underline dark:text-sky-400"
          onClick={() => go(withoutFilters(current))}>
          Reset filters
        </button>
      ) : null}
      <span role="status" className="self-center text-xs text-slate-500" data-testid="filters-pending">{pending ? 'Updating…' : ''}</span>
    </form>
  );
}

/** "2024-07-09T16:15:00Z": what parseFilters reads, whole minutes, UTC. */
function isoMinute(d: Date): string {
  return `${d.toISOString().slice(0, 16)}:00Z`;
}

function CustomRange({ tz, from, to, onApply }: { tz: string; from: string | null; to: string | null; onApply: (from: string, to: string) => void }) {
  const asInput = (iso: string | null) => {
    if (!iso) return '';
    // The URL may hold a bare date or a time without offset (UTC, as parseFilters reads it).
    const normal = /([zZ]|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : iso.length === 10 ? `${iso}T00:00:00Z` : `${iso}Z`;
    const date = new Date(normal.replace(/ (\d{2}:?\d{2})$/, '+$1'));
    return Number.isNaN(date.getTime()) ? '' : toWallTimeInput(date, tz);
  };
  const [fromValue, setFrom] = useState(asInput(from));
  const [toValue, setTo] = useState(asInput(to ?? new Date().toISOString()));
  const [error, setError] = useState<string | null>(null);
  const apply = () => {
    const f = zonedWallTimeToUtc(fromValue, tz);
    const t = zonedWallTimeToUtc(toValue, tz);
    if (!f || !t) return setError('Enter both times.');
    if (f >= t) return setError('From must be before To.');
    setError(null);
    onApply(isoMinute(f), isoMinute(t));
  };
  return (
    <fieldset className="flex items-end gap-2" onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); apply(); } }}>
      <legend className="sr-only">Custom range ({tz})</legend>
      <label className={caption}>
        From ({tz})
        <input type="datetime-local" className={field} value={fromValue} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label className={caption}>
        To ({tz})
        <input type="datetime-local" className={field} value={toValue} onChange={(e) => setTo(e.target.value)} />
      </label>
      <button type="button" onClick={apply} className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-sky-800">Apply</button>
      {error ? <span role="alert" className="self-center text-xs text-red-700 dark:text-red-400">{error}</span> : null}
    </fieldset>
  );
}

function summaryOf(include: string[], exclude: string[]): string {
  const parts: string[] = [];
  if (include.length) parts.push(include.length > 3 ? `${include.slice(0, 3).join(', ')} +${include.length - 3}` : include.join(', '));
  if (exclude.length) parts.push(`not ${exclude.length > 3 ? `${exclude.slice(0, 3).join(', ')} +${exclude.length - 3}` : exclude.join(', ')}`);
  return parts.length ? parts.join('; ') : 'All';
}

/**
 * One dimension's multi-select: tick values to keep only them, or switch to "Exclude"
 * to hide the ticked values instead. Each change applies at once (it is a URL change).
 */
function DimensionPicker({ dimension, choices, include, exclude, onChange }: {
  dimension: FilterDimension;
  choices: string[];
  include: string[];
  exclude: string[];
  onChange: (include: string[], exclude: string[]) => void;
}) {
  const [open, setOpen] = useState(false);
  const [preferExclude, setPreferExclude] = useState(false);
  // Ticks show at once; the URL (and so the props) catches up when the navigation lands.
  const [shown, setShown] = useOptimistic({ include, exclude });
  const [, startTransition] = useTransition();
  const change = (nextInclude: string[], nextExclude: string[]) => startTransition(() => {
    setShown({ include: nextInclude, exclude: nextExclude });
    onChange(nextInclude, nextExclude);
  });
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const mode: 'only' | 'exclude' = shown.include.length ? 'only' : shown.exclude.length ? 'exclude' : preferExclude ? 'exclude' : 'only';
  const selected = mode === 'only' ? shown.include : shown.exclude;
  const label = DIMENSION_LABEL[dimension];
  const options = [...new Set([...choices, ...shown.include, ...shown.exclude])];
  const active = shown.include.length + shown.exclude.length > 0;

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const toggle = (value: string, checked: boolean) => {
    const next = checked ? [...selected, value] : selected.filter((v) => v !== value);
    if (mode === 'only') change(next, shown.exclude.filter((v) => !next.includes(v)));
    else change(shown.include.filter((v) => !next.includes(v)), next);
  };
  const switchMode = (next: 'only' | 'exclude') => {
    setPreferExclude(next === 'exclude');
    if (next === mode || selected.length === 0) return;
    if (next === 'exclude') change([], [...new Set([...shown.exclude, ...shown.include])]);
    else change([...new Set([...shown.include, ...shown.exclude])], []);
  };
  const regionName = (code: string) => {
    if (dimension !== 'region') return null;
    try {
      return new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? null;
    } catch {
      return null;
    }
  };

  return (
    <div ref={root} className="relative" onKeyDown={(e) => { if (e.key === 'Escape' && open) { e.preventDefault(); setOpen(false); button.current?.focus(); } }}>
      <span className={caption}>
        <span aria-hidden>{label}</span>
        <button
          ref={button}
          type="button"
          aria-expanded={open}
          aria-controls={panelId}
          aria-label={`${label}: ${summaryOf(shown.include, shown.exclude)}`}
          data-testid={`filter-${dimension}`}
          onClick={() => setOpen(!open)}
          className={`${field} min-w-24 max-w-56 truncate text-left ${active ? 'border-sky-600 ring-1 ring-sky-600 dark:border-sky-500' : ''}`}
        >
          {summaryOf(shown.include, shown.exclude)} <span aria-hidden className="text-slate-400">▾</span>
        </button>
      </span>
      {open ? (
        <div id={panelId} role="group" aria-label={`${label} filter`}
          className="absolute left-0 z-40 mt-1 w-64 rounded-lg border border-slate-200 bg-white p-3 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900">
          <div role="radiogroup" aria-label={`${label} mode`} className="mb-2 flex gap-3 text-xs">
            <label className="inline-flex items-center gap-1">
              <input type="radio" name={`${panelId}-mode`} checked={mode === 'only'} onChange={() => switchMode('only')} /> Only these
            </label>
            <label className="inline-flex items-center gap-1">
              <input type="radio" name={`${panelId}-mode`} checked={mode === 'exclude'} onChange={() => switchMode('exclude')} /> Exclude these
            </label>
          </div>
          <ul className="max-h-72 space-y-0.5 overflow-auto">
            {options.map((value) => {
              const name = regionName(value);
              return (
                <li key={value}>
                  <label className="flex items-center gap-2 rounded px-1 py-0.5 hover:bg-slate-100 dark:hover:bg-slate-800">
                    <input type="checkbox" checked={selected.includes(value)} onChange={(e) => toggle(value, e.target.checked)} />
                    <span className={mode === 'exclude' && selected.includes(value) ? 'text-blocked line-through' : ''}>{value}</span>
                    {name && name !== value ? <span className="truncate text-xs text-slate-500">{name}</span> : null}
                  </label>
                </li>
              );
            })}
          </ul>
          <div className="mt-2 flex justify-between border-t border-slate-100 pt-2 text-xs dark:border-slate-800">
            <button type="button" className="text-sky-700 underline dark:text-sky-400" disabled={!active} onClick={() => change([], [])}>Clear</button>
            <button type="button" className="text-sky-700 underline dark:text-sky-400" onClick={() => { setOpen(false); button.current?.focus(); }}>Done</button>
          </div>
        </div>
      ) : null}
    </div>
  );
}

/**
 * The decision has two values, so its multi-select with exclude mode comes down to one
 * choice: "only blocked" is "exclude allowed". Both forms of the URL are shown alike;
 * a combination that is neither (both excluded, say) is shown as it is until changed.
 */
function DecisionSelect({ include, exclude, onChange }: { include: string[]; exclude: string[]; onChange: (include: string[], exclude: string[]) => void }) {
  const all = ['allowed', 'blocked'];
  const kept = all.filter((d) => (include.length === 0 || include.includes(d)) && !exclude.includes(d));
  const [value, setValue] = useOptimistic(kept.length === 2 ? '' : kept.length === 1 ? kept[0]! : 'none');
  const [, startTransition] = useTransition();
  return (
    <label className={caption}>
      Decision
      <select aria-label="Decision" className={`${field} ${value ? 'border-sky-600 ring-1 ring-sky-600' : ''}`} value={value}
        onChange={(e) => {
          const next = e.target.value;
          startTransition(() => { setValue(next); onChange(next ? [next] : [], []); });
        }}>
        <option value="">All</option>
        <option value="allowed">Allowed only</option>
        <option value="blocked">Blocked only</option>
        {value === 'none' ? <option value="none" disabled>None (both excluded)</option> : null}
      </select>
    </label>
  );
}

function TimeZoneSelect({ tz, onChange }: { tz: string; onChange: (tz: string) => void }) {
  // The browser's zone is known only after hydration (the server cannot know it).
  const [browserZone, setBrowserZone] = useState<string | null>(null);
  useEffect(() => {
    setBrowserZone(Intl.DateTimeFormat().resolvedOptions().timeZone);
  }, []);
  const [shownTz, setShownTz] = useOptimistic(tz);
  const [, startTransition] = useTransition();
  const zones: string[] = [...COMMON_ZONES];
  if (!zones.includes(tz)) zones.push(tz);
  return (
    <label className={caption}>
      Time zone
      <select aria-label="Time zone" className={field} value={shownTz} onChange={(e) => {
        const next = e.target.value;
        startTransition(() => { setShownTz(next); onChange(next); });
      }}>
        {browserZone && browserZone !== 'UTC' ? (
          <option value={browserZone}>{`Browser: ${browserZone}`}</option>
        ) : null}
        {zones.filter((z) => z !== browserZone || z === 'UTC').map((zone) => (
          <option key={zone} value={zone}>{zone}</option>
        ))}
      </select>
    </label>
  );
}
