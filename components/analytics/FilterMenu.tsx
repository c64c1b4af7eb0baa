'use client';

import { AppLink } from '@/components/ui/AppLink';
import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';

import {
  DIMENSION_LABEL,
  filterParams,
  href,
  withFilter,
  withParams,
  type FilterTarget,
} from '@/components/filters/params';

/** A link to another view with this target applied as a filter (e.g. "Break down region CN"). */
export interface DrillLink {
  label: string;
  pathname: string;
  params?: Record<string, string | null>;
}

export interface FilterMenuRequest {
  targets: FilterTarget[];
  drill?: DrillLink[];
}

interface OpenMenu extends FilterMenuRequest {
  x: number;
  y: number;
  anchor: HTMLElement | SVGElement | null;
}

const describe = (t: FilterTarget) => `${DIMENSION_LABEL[t.dimension].toLowerCase()} ${t.value}`;

/**
 * What clicking a bar, segment, cell or legend item does: a small menu to keep only that
 * value, exclude it, or open another view filtered to it. Every item is a link, so the
 * result is a URL like any other state.
 */
export function useFilterMenu(): { open: (anchor: HTMLElement | SVGElement, request: FilterMenuRequest) => void; element: React.ReactNode } {
  const [menu, setMenu] = useState<OpenMenu | null>(null);
  const anchorRef = useRef<HTMLElement | SVGElement | null>(null);
  // Recharts may replace a bar's element when it re-renders (hover state), so the anchor is
  // found again by its test id when the one clicked is gone.
  const currentAnchor = useCallback(() => {
    const anchor = anchorRef.current;
    if (!anchor || anchor.isConnected) return anchor;
    const id = anchor.getAttribute('data-testid');
    return id ? document.querySelector<HTMLElement | SVGElement>(`[data-testid="${CSS.escape(id)}"]`) : null;
  }, []);
  const open = useCallback((anchor: HTMLElement | SVGElement, request: FilterMenuRequest) => {
    const rect = anchor.getBoundingClientRect();
    anchorRef.current = anchor;
    setMenu({ ...request, anchor, x: rect.left, y: rect.bottom });
  }, []);
  const close = useCallback((restoreFocus: boolean) => {
    setMenu(null);
    if (restoreFocus) currentAnchor()?.focus();
  }, [currentAnchor]);
  // The menu follows its anchor when the page scrolls, and closes once it is out of view.
  const follow = useCallback(() => {
    const anchor = currentAnchor();
    if (!anchor) return;
    const rect = anchor.getBoundingClientRect();
    if (rect.bottom < 0 || rect.top > window.innerHeight) return setMenu(null);
    setMenu((m) => (m && (m.x !== rect.left || m.y !== rect.bottom) ? { ...m, x: rect.left, y: rect.bottom } : m));
  }, [currentAnchor]);
  return { open, element: menu ? <FilterMenu menu={menu} onClose={close} onMove={follow} /> : null };
}

function FilterMenu({ menu, onClose, onMove }: { menu: OpenMenu; onClose: (restoreFocus: boolean) => void; onMove: () => void }) {
  const pathname = usePathname();
  const params = useSearchParams();
  const current = new URLSearchParams(params);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus({ preventScroll: true });
  }, [menu.anchor]);
  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose(false);
    };
    document.addEventListener('mousedown', onDown);
    window.addEventListener('resize', onMove);
    window.addEventListener('scroll', onMove, true);
    return () => {
      document.removeEventListener('mousedown', onDown);
      window.removeEventListener('resize', onMove);
      window.removeEventListener('scroll', onMove, true);
    };
  }, [onClose, onMove]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    const items = Array.from(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
    const index = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      onClose(true);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      items[(index + step + items.length) % items.length]?.focus();
    } else if (e.key === 'Tab') {
      onClose(false);
    }
  };

  const { targets } = menu;
  const items: { label: string; to: string; tone?: 'exclude' }[] = [];
  if (targets.length > 0) {
    items.push({ label: `Only ${targets.map(describe).join(' and ')}`, to: href(pathname, withFilter(current, targets, 'only')) });
    for (const t of targets) items.push({ label: `Exclude ${describe(t)}`, to: href(pathname, withFilter(current, [t], 'exclude')), tone: 'exclude' });
  }
  for (const d of menu.drill ?? []) {
    items.push({ label: d.label, to: href(d.pathname, withParams(withFilter(filterParams(current), targets, 'only'), d.params ?? {})) });
  }

  // Keep the menu on screen.
  const left = Math.max(8, Math.min(menu.x, (typeof window === 'undefined' ? 1e4 : window.innerWidth) - 260));
  const top = Math.min(menu.y + 4, (typeof window === 'undefined' ? 1e4 : window.innerHeight) - 40 * items.length - 16);

  return (
    <div
      ref={ref}
      role="menu"
      aria-label={`Filter by ${targets.map(describe).join(' and ')}`}
      onKeyDown={onKeyDown}
      style={{ left, top }}
      className="fixed z-50 w-64 rounded-lg border border-slate-200 bg-white p-1 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900"
      data-testid="filter-menu"
    >
      {items.map((item) => (
        <AppLink
          key={item.label}
          role="menuitem"
          href={item.to}
          onClick={() => onClose(false)}
          className={`block rounded px-3 py-2 hover:bg-slate-100 focus:bg-slate-100 focus:outline-none dark:hover:bg-slate-800 dark:focus:bg-slate-800 ${
            item.tone === 'exclude' ? 'text-blocked' : ''
          }`}
        >
          {item.label}
        </AppLink>
      ))}
    </div>
  );
}
