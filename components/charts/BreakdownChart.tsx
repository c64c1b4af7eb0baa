'use client';

import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import { useFilterMenu, type FilterMenuRequest } from '@/components/analytics/FilterMenu';
import { formatCount, formatRate } from '@/components/analytics/format';
import { GROUP_LABEL } from '@/components/analytics/labels';
import { isFilterDimension, type FilterTarget } from '@/components/filters/params';
import type { GroupBy } from '@/lib/analytics/filters';
import type { ChartKind } from '@/lib/analytics/view-params';

import { ChartFrame } from './ChartFrame';
import { clickableBar, COLORS, CountsTooltip, GRID, LegendButtons, TICK, tableHead, tableRow, td, tdNum, th, thNum, type CountsDatum } from './parts';

export interface BreakdownChartRow {
  key: string;
  key2?: string;
  allowed: number;
  blocked: number;
  total: number;
  blockRate: number | null;
}

/** The filters a breakdown row stands for (reason and model are not filter dimensions). */
export function rowTargets(row: { key: string; key2?: string }, by: GroupBy, by2: GroupBy | null, none: string): FilterTarget[] {
  const targets: FilterTarget[] = [];
  if (isFilterDimension(by) && row.key !== none) targets.push({ dimension: by, value: row.key });
  if (by2 && isFilterDimension(by2) && row.key2 !== undefined && row.key2 !== none) targets.push({ dimension: by2, value: row.key2 });
  return targets;
}

export function rowMenu(row: { key: string; key2?: string }, by: GroupBy, by2: GroupBy | null, none: string): FilterMenuRequest {
  const targets = rowTargets(row, by, by2, none);
  const what = targets.map((t) => `${t.dimension} ${t.value}`).join(' and ');
  return {
    targets,
    drill: targets.length ? [
      { label: `Accounts in ${what}`, pathname: '/accounts', params: { sort: '-blocked' } },
      { label: `Decisions in ${what}`, pathname: '/decisions' },
    ] : [],
  };
}

/** Breakdown rows as horizontal bars, in the table's order; at most `limit`, and says so. */
export function BreakdownChart({ rows, by, by2, kind, totalRows, none, controls }: {
  rows: BreakdownChartRow[];
  by: GroupBy;
  by2: GroupBy | null;
  kind: ChartKind;
  totalRows: number;
  none: string;
  controls?: React.ReactNode;
}) {
  const menu = useFilterMenu();
  const openMenu = menu.open;
  const data = rows.map((r) => ({ ...r, label: r.key2 !== undefined ? `${r.key} · ${r.key2}` : r.key }));
  const groupName = by2 ? `${GROUP_LABEL[by]} and ${GROUP_LABEL[by2].toLowerCase()}` : GROUP_LABEL[by];
  const shape = useMemo(() => clickableBar<CountsDatum & BreakdownChartRow>({
    focusable: false,
    name: (d) => `${d.label}: ${formatCount(d.blocked)} blocked of ${formatCount(d.total)} (${formatRate(d.blockRate)})`,
    onActivate: (d, el) => {
      const request = rowMenu(d, by, by2, none);
      if (request.targets.length) openMenu(el, request);
    },
  }), [by, by2, none, openMenu]);
  const longest = Math.max(4, ...data.map((d) => d.label.length));

  const chart = (
    <div className="text-slate-600 dark:text-slate-400">
      <div style={{ height: Math.max(160, data.length * 26 + 40) }} role="img" aria-label={`${kind === 'rate' ? 'Block rate' : 'Allowed and blocked'} by ${groupName.toLowerCase()}. The numbers are in the table.`}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} layout="vertical" margin={{ top: 0, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid {...GRID} horizontal={false} />
            {kind === 'rate'
              ? <XAxis type="number" tick={TICK} domain={[0, 1]} tickFormatter={(v: number) => formatRate(v)} />
              : <XAxis type="number" tick={TICK} tickFormatter={(v: number) => formatCount(v)} />}
            <YAxis type="category" dataKey="label" tick={TICK} width={Math.min(260, longest * 7 + 12)} interval={0} />
            <Tooltip content={CountsTooltip} cursor={{ fill: 'currentColor', fillOpacity: 0.06 }} />
            {kind === 'rate' ? (
              <Bar dataKey="blockRate" name="Block rate" fill={COLORS.blocked} isAnimationActive={false} shape={shape} />
            ) : (
              <>
                <Bar dataKey="allowed" name="Allowed" stackId="d" fill={COLORS.allowed} isAnimationActive={false} shape={shape} />
                <Bar dataKey="blocked" name="Blocked" stackId="d" fill={COLORS.blocked} isAnimationActive={false} shape={shape} />
              </>
            )}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <LegendButtons items={kind === 'rate' ? [{ key: 'rate', label: 'Block rate', color: COLORS.blocked }] : [
        { key: 'allowed', label: 'Allowed', color: COLORS.allowed, onActivate: (el) => openMenu(el, { targets: [{ dimension: 'decision', value: 'allowed' }] }) },
        { key: 'blocked', label: 'Blocked', color: COLORS.blocked, onActivate: (el) => openMenu(el, { targets: [{ dimension: 'decision', value: 'blocked' }] }) },
      ]} />
      {menu.element}
    </div>
  );

  const table = (
    <table className="w-full text-sm">
      <caption className="sr-only">Chart numbers by {groupName.toLowerCase()}</caption>
      <thead className={tableHead}>
        <tr><th className={th}>{groupName}</th><th className={thNum}>Allowed</th><th className={thNum}>Blocked</th><th className={thNum}>Total</th><th className={thNum}>Block rate</th></tr>
      </thead>
      <tbody>
        {data.map((d) => (
          <tr key={d.label} className={tableRow}>
            <td className={td}>{d.label}</td>
            <td className={tdNum}>{formatCount(d.allowed)}</td><td className={tdNum}>{formatCount(d.blocked)}</td>
            <td className={tdNum}>{formatCount(d.total)}</td><td className={tdNum}>{formatRate(d.blockRate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );

  return (
    <ChartFrame
      id="breakdown"
      title={`${kind === 'rate' ? 'Block rate' : 'Allowed and blocked'} by ${groupName.toLowerCase()}`}
      subtitle={totalRows > rows.length ? `The first ${rows.length} of ${formatCount(totalRows)} groups in the table's order; the table has them all.` : `All ${formatCount(totalRows)} groups, in the table's order.`}
      controls={controls}
      chart={chart}
      table={table}
    />
  );
}
