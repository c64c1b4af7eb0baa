'use client';

import { useSyncExternalStore } from 'react';
import { getNiceTickValues } from 'recharts';

import { formatCount, formatRate } from '@/components/analytics/format';

import { COLORS } from './parts';

// Recharts draws nothing until it has measured its container in the browser, so a chart
// would stay blank from the first paint until hydration (~400 ms on the overview at 10M
// rows). The server draws this plain SVG of the same data instead, and the chart replaces
// it once the page is interactive.

const noSubscription = () => () => {};

/** False during server rendering and hydration, true afterwards (and on client navigations). */
export const useHydrated = () => useSyncExternalStore(noSubscription, () => true, () => false);

export interface PreviewDatum {
  label: string;
  /** The stack's lower and upper segments (allowed and blocked, say). */
  lower: number;
  upper: number;
  /** The line's value, when the chart shows a rate; null: no decisions. */
  rate: number | null;
}

export interface PreviewStyle {
  kind: 'counts' | 'rate';
  /** Colours of the lower and upper segments. */
  colors: readonly [string, string];
  /** As the chart's Y axis allowDecimals (Recharts' default: true). */
  decimals?: boolean;
}

// Plot units: the SVG stretches to its box, bars across and values up.
const WIDTH = 1000;
const HEIGHT = 1000;

/**
 * Stacked bars (or a rate as a line) in the plot area the chart will use (Y axis 56 px wide on the left, X axis below), with the ticks its Y axis will
 * have (Recharts' own getNiceTickValues, five ticks as YAxis draws by default) and about
 * as many bucket labels. Not interactive: the chart that replaces it is.
 */
export function SeriesPreview({ data, kind, colors, decimals = true }: { data: PreviewDatum[] } & PreviewStyle) {
  // Not Math.max(...): an hourly series of 90 days has 2,160 buckets.
  const highest = data.reduce((m, d) => Math.max(m, d.lower + d.upper), 0);
  const ticks = kind === 'rate' ? getNiceTickValues([0, 1], 5) : getNiceTickValues([0, Math.max(1, highest)], 5, decimals);
  const max = ticks.at(-1) ?? 1;
  const slot = WIDTH / Math.max(1, data.length);
  const bar = slot * 0.8;
  const y = (v: number) => HEIGHT - (v / max) * HEIGHT;
  // The rate line breaks where a bucket has no decisions, as the chart's does (connectNulls
  // off); a lone point is drawn as a short flat stroke.
  const segments: Array<Array<[number, number]>> = [[]];
  data.forEach((d, i) => {
    if (d.rate === null) segments.push([]);
    else segments.at(-1)!.push([(i + 0.5) * slot, y(d.rate)]);
  });
  const strokes = segments.filter((s) => s.length > 0)
    .map((s) => (s.length === 1 ? [[s[0]![0] - slot * 0.2, s[0]![1]], [s[0]![0] + slot * 0.2, s[0]![1]]] : s).join(' '));
  // Roughly one label per 90 px of a ~900 px plot, as the chart's minTickGap leaves them.
  const every = Math.max(1, Math.ceil(data.length / 10));
  return (
    <div className="flex h-full flex-col pt-[18px] pr-3" data-testid="chart-preview">
      <div className="relative flex min-h-0 flex-1">
        <div className="relative w-14 shrink-0 text-right text-[11px] tabular-nums">
          {ticks.map((t) => (
            <span key={t} className="absolute right-2 translate-y-1/2" style={{ bottom: `${(t / max) * 100}%` }} data-testid="preview-tick">
              {kind === 'rate' ? formatRate(t) : formatCount(t)}
            </span>
          ))}
        </div>
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" className="h-full min-w-0 flex-1 border-b border-current/60" aria-hidden>
          {ticks.slice(1).map((t) => (
            <line key={t} x1={0} x2={WIDTH} y1={y(t)} y2={y(t)} stroke="currentColor" strokeOpacity={0.15} vectorEffect="non-scaling-stroke" strokeDasharray="3 3" />
          ))}
          {kind === 'rate' ? (
            strokes.map((points) => <polyline key={points} points={points} fill="none" stroke={COLORS.rate} strokeWidth={2} vectorEffect="non-scaling-stroke" />)
          ) : data.map((d, i) => (
            <g key={i}>
              <rect x={i * slot + (slot - bar) / 2} width={bar} y={y(d.lower)} height={HEIGHT - y(d.lower)} fill={colors[0]} />
              <rect x={i * slot + (slot - bar) / 2} width={bar} y={y(d.lower + d.upper)} height={HEIGHT - y(d.upper)} fill={colors[1]} />
            </g>
          ))}
        </svg>
      </div>
      {/* The X axis, as tall as the chart's. */}
      <div className="relative ml-14 h-[35px] shrink-0 overflow-hidden text-[11px]">
        {data.map((d, i) => (i % every === 0 ? (
          <span key={i} className="absolute top-2 -translate-x-1/2 whitespace-nowrap" style={{ left: `${((i + 0.5) / data.length) * 100}%` }}>{d.label}</span>
        ) : null))}
      </div>
    </div>
  );
}
