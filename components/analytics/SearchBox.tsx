'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState, useTransition } from 'react';

import { href, withParams } from '@/components/filters/params';

/** A search field bound to one URL parameter; submitting starts again at the first page. */
export function SearchBox({ name, label, placeholder, value }: { name: string; label: string; placeholder?: string; value: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [text, setText] = useState(value);
  const [pending, startTransition] = useTransition();
  const go = (next: string) => startTransition(() => router.push(href(pathname, withParams(new URLSearchParams(params), { [name]: next.trim() || null }))));
  return (
    <form role="search" aria-label={label} aria-busy={pending} className="flex items-center gap-2" onSubmit={(e) => { e.preventDefault(); go(text); }}>
      <label className="sr-only" htmlFor={`search-${name}`}>{label}</label>
      <input
        id={`search-${name}`}
        type="search"
        value={text}
        placeholder={placeholder}
        onChange={(e) => setText(e.target.value)}
        className="w-72 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900"
      />
      <button type="submit" className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-sky-800">Search</button>
      {value ? (
        <button type="button" className="text-sm text-sky-700 underline dark:text-sky-400" onClick={() => { setText(''); go(''); }}>Clear</button>
      ) : null}
    </form>
  );
}
