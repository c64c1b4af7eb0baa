'use client';

import { useTransition } from 'react';

export function ThemeToggle({ onChange }: { onChange: (theme: 'light' | 'dark') => Promise<void> }) {
  const [, startTransition] = useTransition();
  return (
    <button
      type="button"
      className="rounded-md border border-slate-300 px-2 py-1 text-sm dark:border-slate-700"
      aria-label="Switch between light and dark theme"
      onClick={() => {
        const dark = !document.documentElement.classList.contains('dark');
        document.documentElement.classList.toggle('dark', dark);
        startTransition(() => onChange(dark ? 'dark' : 'light'));
      }}
    >
      <span className="dark:hidden">Dark</span>
      <span className="hidden dark:inline">Light</span>
    </button>
  );
}
