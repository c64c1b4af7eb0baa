import { Suspense } from 'react';

import { FilterBar, type FilterChoices } from '@/components/filters/FilterBar';

import { NavLinks, type NavItem } from './NavLinks';
import { ThemeToggle } from './ThemeToggle';

export interface ShellUser {
  email: string;
  name: string | null;
  role: string;
}

export function Shell({
  user,
  nav,
  choices,
  onSignOut,
  onTheme,
  children,
}: {
  user: ShellUser;
  nav: NavItem[];
  choices: FilterChoices;
  onSignOut: () => Promise<void>;
  onTheme: (theme: 'light' | 'dark') => Promise<void>;
  children: React.ReactNode;
}) {
  return (
    <div className="flex min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <nav aria-label="Main" className="w-52 shrink-0 border-r border-slate-200 bg-white px-3 py-5 dark:border-slate-800 dark:bg-slate-900">
        <p className="mb-6 px-3 text-lg font-bold tracking-tight text-sky-800 dark:text-sky-300">Gatewatch</p>
        <Suspense>
          <NavLinks items={nav} />
        </Suspense>
      </nav>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="border-b border-slate-200 bg-white px-6 py-3 dark:border-slate-800 dark:bg-slate-900">
          <div className="flex items-center justify-between gap-4">
            <Suspense>
              <FilterBar choices={choices} />
            </Suspense>
            <div className="flex shrink-0 items-center gap-3 text-sm">
              <span data-testid="current-user">
                {user.name ?? user.email}{' '}
                <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300">{user.role}</span>
              </span>
              <ThemeToggle onChange={onTheme} />
              <form action={onSignOut}>
                <button type="submit" className="rounded-md border border-slate-300 px-2 py-1 dark:border-slate-700">Sign out</button>
              </form>
            </div>
          </div>
        </header>
        <main id="main" className="mx-auto w-full max-w-[1600px] flex-1 p-6">{children}</main>
      </div>
    </div>
  );
}
