'use client';

import { usePathname, useSearchParams } from 'next/navigation';

import { listParam } from '@/components/filters/params';

/**
 * A card holding one chart and the same numbers as a table. Which ones show as tables
 * lives in the URL (`tables=series,regions`); switching only replaces the URL (no
 * server round trip), so a shared link opens the same view.
 */
export function ChartFrame({
  id,
  title,
  subtitle,
  controls,
  chart,
  table,
  footer,
  className = '',
}: {
  id: string;
  title: string;
  subtitle?: React.ReactNode;
  controls?: React.ReactNode;
  chart: React.ReactNode;
  table: React.ReactNode;
  footer?: React.ReactNode;
  className?: string;
}) {
  const pathname = usePathname();
  const params = useSearchParams();
  const tables = listParam(new URLSearchParams(params), 'tables');
  const asTable = tables.includes(id);

  const show = (table: boolean) => {
    const next = new URLSearchParams(window.location.search);
    const list = listParam(next, 'tables').filter((t) => t !== id);
    if (table) list.push(id);
    if (list.length) next.set('tables', list.join(','));
    else next.delete('tables');
    const query = next.toString();
    window.history.replaceState(null, '', query ? `${pathname}?${query}` : pathname);
  };

  const toggle = 'px-2.5 py-1 text-xs font-medium aria-pressed:bg-slate-800 aria-pressed:text-white dark:aria-pressed:bg-slate-200 dark:aria-pressed:text-slate-900';
  return (
    <section
      aria-labelledby={`${id}-title`}
      data-testid={`chart-${id}`}
      className={`min-w-0 rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900 ${className}`}
    >
      <div className="mb-3 flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h2 id={`${id}-title`} className="text-sm font-semibold text-slate-800 dark:text-slate-200">{title}</h2>
          {subtitle ? <p className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">{subtitle}</p> : null}
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {controls}
          <div role="group" aria-label={`Show ${title} as`} className="inline-flex overflow-hidden rounded-md border border-slate-300 dark:border-slate-700">
            <button type="button" className={toggle} aria-pressed={!asTable} onClick={() => show(false)}>Chart</button>
            <button type="button" className={toggle} aria-pressed={asTable} onClick={() => show(true)}>Table</button>
          </div>
        </div>
      </div>
      {asTable ? <div className="max-h-[28rem] overflow-auto">{table}</div> : chart}
      {footer}
    </section>
  );
}
