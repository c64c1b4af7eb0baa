'use client';

import { AppLink } from '@/components/ui/AppLink';
import { usePathname, useSearchParams } from 'next/navigation';

import { FILTER_PARAM_NAMES } from '@/components/filters/params';

export interface NavItem {
  href: string;
  label: string;
}

export function NavLinks({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  const params = useSearchParams();
  // Moving between views keeps the global filters (but not a view's own sort or page).
  const carried = new URLSearchParams();
  for (const name of FILTER_PARAM_NAMES) for (const v of params.getAll(name)) carried.append(name, v);
  const query = carried.toString();
  return (
    <ul className="space-y-1">
      {items.map((item) => {
        const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
        return (
          <li key={item.href}>
            <AppLink
              href={query ? `${item.href}?${query}` : item.href}
              aria-current={active ? 'page' : undefined}
              className={`block rounded-md px-3 py-2 text-sm font-medium ${
                active
                  ? 'bg-sky-100 text-sky-900 dark:bg-sky-900/40 dark:text-sky-100'
                  : 'text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'
              }`}
            >
              {item.label}
            </AppLink>
          </li>
        );
      })}
    </ul>
  );
}
