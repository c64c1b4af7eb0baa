'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useTransition } from 'react';

import { href, withParams } from '@/components/filters/params';

export interface Option {
  value: string;
  label: string;
}

/** Navigates to this URL with one parameter changed (the default value leaves the URL clean). */
function useParamSetter(name: string, defaultValue: string | undefined) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [pending, startTransition] = useTransition();
  const set = (value: string) => {
    const next = withParams(new URLSearchParams(params), { [name]: value === defaultValue ? null : value });
    startTransition(() => router.push(href(pathname, next), { scroll: false }));
  };
  return { set, pending };
}

/** A labelled select bound to one URL parameter (group-by, bucket, ...). */
export function ParamSelect({ name, label, value, options, defaultValue }: {
  name: string;
  label: string;
  value: string;
  options: Option[];
  defaultValue?: string;
}) {
  const { set, pending } = useParamSetter(name, defaultValue);
  return (
    <label className="inline-flex items-center gap-1.5 text-xs font-medium text-slate-600 dark:text-slate-400">
      {label}
      <select
        name={name}
        value={value}
        aria-busy={pending}
        onChange={(e) => set(e.target.value)}
        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
      >
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    </label>
  );
}

/** A row of toggle buttons bound to one URL parameter (the chart choice). */
export function ParamToggle({ name, label, value, options, defaultValue }: {
  name: string;
  label: string;
  value: string;
  options: Option[];
  defaultValue?: string;
}) {
  const { set, pending } = useParamSetter(name, defaultValue);
  return (
    <div role="group" aria-label={label} aria-busy={pending} className="inline-flex overflow-hidden rounded-md border border-slate-300 dark:border-slate-700">
      {options.map((o) => (
        <button key={o.value} type="button" aria-pressed={o.value === value} onClick={() => set(o.value)}
          className="px-2.5 py-1 text-xs font-medium aria-pressed:bg-sky-700 aria-pressed:text-white">
          {o.label}
        </button>
      ))}
    </div>
  );
}
