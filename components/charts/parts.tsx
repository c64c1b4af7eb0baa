'use client';

import type { BarShapeProps, TooltipContentProps } from 'recharts';

import { formatCount, formatRate } from '@/components/analytics/format';

// Pieces every Gatewatch chart shares: colours from the theme, readable ticks in both
// themes, a tooltip that follows the theme, and bars that are buttons.

export const COLORS = { allowed: 'var(--color-allowed)', blocked: 'var(--color-blocked)', rate: 'var(--color-blocked)' } as const;

export const TICK = { fill: 'currentColor', fontSize: 11 } as const;
export const GRID = { strokeDasharray: '3 3', stroke: 'currentColor', strokeOpacity: 0.15 } as const;

export interface CountsDatum {
  label: string;
  allowed: number;
  blocked: number;
  total: number;
  blockRate: number | null;
}

/** Allowed / blocked / total / rate for the hovered datum, with its label as the heading. */
export function CountsTooltip(props: TooltipContentProps) {
  const datum = props.payload?.[0]?.payload as (CountsDatum & { heading?: string }) | undefined;
  if (!props.active || !datum) return null;
  return (
    <div className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs shadow-md dark:border-slate-700 dark:bg-slate-900">
      <p className="mb-1 font-semibold">{datum.heading ?? datum.label}</p>
      <dl className="grid grid-cols-[auto_auto] gap-x-3 tabular-nums">
        <dt className="text-allowed">Allowed</dt><dd className="text-right">{formatCount(datum.allowed)}</dd>
        <dt className="text-blocked">Blocked</dt><dd className="text-right">{formatCount(datum.blocked)}</dd>
        <dt>Total</dt><dd className="text-right">{formatCount(datum.total)}</dd>
        <dt>Block rate</dt><dd className="text-right">{formatRate(datum.blockRate)}</dd>
      </dl>
    </div>
  );
}

/**
 * A bar shape that is a button: focusable (when asked; a chart of hundreds of bars
 * leaves keyboard users to its table instead), named, and opening the filter menu on
 * click, Enter or Space.
 */
export function clickableBar<D>({
  focusable,
  name,
  testId,
  onActivate,
}: {
  focusable: boolean;
  name: (datum: D) => string;
  testId?: (datum: D) => string;
  onActivate: (datum: D, element: SVGElement) => void;
}) {
  function ClickableBar(props: BarShapeProps) {
    const { x, y, width, height, fill } = props;
    const datum = props.payload as D;
    const w = Math.max(0, Number(width) || 0);
    const h = Math.max(0, Number(height) || 0);
    if (!datum || (w === 0 && h === 0)) return <g />;
    return (
      <rect
        x={x}
        y={y}
        width={w}
        height={h}
        fill={fill}
        role="button"
        tabIndex={focusable ? 0 : -1}
        aria-label={name(datum)}
        data-testid={testId?.(datum)}
        className="cursor-pointer outline-none hover:opacity-80 focus-visible:stroke-sky-500 focus-visible:stroke-[3px]"
        onClick={(e) => onActivate(datum, e.currentTarget)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            onActivate(datum, e.currentTarget);
          }
        }}
      />
    );
  }
  return ClickableBar;
}

export const th = 'px-2 py-1.5 font-medium';
export const thNum = 'px-2 py-1.5 text-right font-medium';
export const td = 'px-2 py-1.5';
export const tdNum = 'px-2 py-1.5 text-right tabular-nums';
export const tableHead = 'sticky top-0 bg-white text-left text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-900 dark:text-slate-400';
export const tableRow = 'border-t border-slate-100 dark:border-slate-800';

/** Legend entries that are buttons (they filter, like the bars). */
export function LegendButtons({ items }: { items: { key: string; label: string; color: string; onActivate?: (el: HTMLElement) => void }[] }) {
  return (
    <ul className="mt-2 flex flex-wrap items-center gap-3 text-xs" aria-label="Legend">
      {items.map((item) => (
        <li key={item.key}>
          {item.onActivate ? (
            <button type="button" className="inline-flex items-center gap-1.5 rounded px-1.5 py-0.5 hover:bg-slate-100 dark:hover:bg-slate-800"
              onClick={(e) => item.onActivate?.(e.currentTarget)}>
              <span aria-hidden className="inline-block size-3 rounded-sm" style={{ background: item.color }} />
              {item.label}
            </button>
          ) : (
            <span className="inline-flex items-center gap-1.5 px-1.5">
              <span aria-hidden className="inline-block size-3 rounded-sm" style={{ background: item.color }} />
              {item.label}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
