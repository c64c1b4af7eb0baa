'use client';

import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import { useFilterMenu, type DrillLink } from '@/components/analytics/FilterMenu';
import { formatCount, formatRate } from '@/components/analytics/format';
import { DIMENSION_LABEL, type FilterDimension } from '@/components/filters/params';

import { ChartFrame } from './ChartFrame';
import { clickableBar, COLORS, CountsTooltip, GRID, TICK, tableHead, tableRow, td, tdNum, th, thNum, type CountsDatum } from './parts';

export interface DimensionRow {
  key: string;
  allowed: number;
  blocked: number;
  total: number;
  blockRate: number | null;
}

type Dim = Exclude<FilterDimension, 'decision'>;

const PLURAL: Record<Dim, string> = { region: 'regions', provider: 'providers', channel: 'channels' };

/** Where "Break down" goes from a value of each dimension: the other two dimensions. */
const BREAKDOWN_OF: Record<Dim, { by: string; by2: string }> = {
  region: { by: 'provider', by2: 'channel' },
  provider: { by: 'channel', by2: 'region' },
  channel: { by: 'region', by2: 'provider' },
};

export function drillLinks(dimension: Dim, value: string): DrillLink[] {
  const what = `${DIMENSION_LABEL[dimension].toLowerCase()} ${value}`;
  return [
    { label: `Break down ${what}`, pathname: '/breakdown', params: BREAKDOWN_OF[dimension] },
    { label: `Accounts in ${what}`, pathname: '/accounts', params: { sort: '-blocked' } },
    { label: `Decisions in ${what}`, pathname: '/decisions' },
  ];
}

const SHOWN = 10;

/** The top values of one dimension by blocked count, as bars that filter when clicked. */
export function DimensionBarChart({ dimension, rows }: { dimension: Dim; rows: DimensionRow[] }) {
  const menu = useFilterMenu();
  const sorted = useMemo(() => [...rows].sort((a, b) => b.blocked - a.blocked || b.total - a.total || a.key.localeCompare(b.key)), [rows]);
  const top: (CountsDatum & { key: string })[] = useMemo(() => sorted.slice(0, SHOWN).map((r) => ({ ...r, label: r.key })), [sorted]);
  const label = DIMENSION_LABEL[dimension];
  const openMenu = menu.open;
  const open = (key: string, el: HTMLElement | SVGElement) =>
    openMenu(el, { targets: [{ dimension, value: key }], drill: drillLinks(dimension, key) });
  const shape = useMemo(() => clickableBar<CountsDatum & { key: string }>({
    focusable: true,
    name: (d) => `${label} ${d.key}: ${formatCount(d.blocked)} blocked of ${formatCount(d.total)} (${formatRate(d.blockRate)})`,
    testId: (d) => `bar-${dimension}-${d.key}`,
    onActivate: (d, el) => openMenu(el, { targets: [{ dimension, value: d.key }], drill: drillLinks(dimension, d.key) }),
  }), [dimension, label, openMenu]);

  const chart = (
    <div className="text-slate-600 dark:text-slate-400">
      <div style={{ height: Math.max(120, top.length * 30 + 30) }}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={top} layout="vertical" margin={{ top: 0, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid {...GRID} horizontal={false} />
            <XAxis type="number" tick={TICK} tickFormatter={(v: number) => formatCount(v)} />
            <YAxis type="category" dataKey="label" tick={TICK} width={dimension === 'region' ? 36 : 150} interval={0} />
            <Tooltip content={CountsTooltip} cursor={{ fill: 'currentColor', fillOpacity: 0.06 }} />
            <Bar dataKey="blocked" name="Blocked" fill={COLORS.blocked} isAnimationActive={false} shape={shape} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      {menu.element}
    </div>
  );

  const table = (
    <table className="w-full text-sm">
      <caption className="sr-only">{label}s by blocked decisions</caption>
      <thead className={tableHead}>
        <tr><th className={th}>{label}</th><th className={thNum}>Blocked</th><th className={thNum}>Allowed</th><th className={thNum}>Block rate</th></tr>
      </thead>
      <tbody>
        {sorted.map((r) => (
          <tr key={r.key} className={tableRow}>
            <td className={td}>
              <button type="button" className="text-sky-700 underline dark:text-sky-400" onClick={(e) => open(r.key, e.currentTarget)}>{r.key}</button>
            </td>
            <td className={tdNum}>{formatCount(r.blocked)}</td>
            <td className={tdNum}>{formatCount(r.allowed)}</td>
            <td className={tdNum}>{formatRate(r.blockRate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );

  return (
    <ChartFrame
      id={PLURAL[dimension]}
      title={`Top ${PLURAL[dimension]} by blocked`}
      subtitle={sorted.length > SHOWN ? `${SHOWN} of ${sorted.length} ${PLURAL[dimension]}; all of them in the table view` : `All ${sorted.length} ${PLURAL[dimension]}`}
      chart={chart}
      table={table}
    />
  );
}
