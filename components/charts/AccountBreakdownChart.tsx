'use client';

import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import { useFilterMenu } from '@/components/analytics/FilterMenu';
import { formatCount, formatRate } from '@/components/analytics/format';
import type { AccountBreakdownRow } from '@/lib/analytics/account';

import { ChartFrame } from './ChartFrame';
import { clickableBar, COLORS, CountsTooltip, GRID, LegendButtons, TICK, tableHead, tableRow, td, tdNum, th, thNum, type CountsDatum } from './parts';

export type AccountBreakdownItem = AccountBreakdownRow;

/** An account's decisions by region, provider and channel; a bar or row filters to it. */
export function AccountBreakdownChart({ rows }: { rows: AccountBreakdownItem[] }) {
  const menu = useFilterMenu();
  const openMenu = menu.open;
  const data = rows.map((r) => ({ ...r, label: `${r.region} · ${r.provider} · ${r.channel}`, blockRate: r.total ? r.blocked / r.total : null }));
  const request = (r: AccountBreakdownItem) => ({
    targets: [
      { dimension: 'region' as const, value: r.region },
      { dimension: 'provider' as const, value: r.provider },
      { dimension: 'channel' as const, value: r.channel },
    ],
  });
  const shape = useMemo(() => clickableBar<CountsDatum & AccountBreakdownItem>({
    focusable: false,
    name: (d) => `${d.label}: ${formatCount(d.blocked)} blocked of ${formatCount(d.total)}`,
    onActivate: (d, el) => openMenu(el, request(d)),
  }), [openMenu]);

  const chart = (
    <div className="text-slate-600 dark:text-slate-400">
      <div style={{ height: Math.max(120, data.length * 28 + 40) }}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} layout="vertical" margin={{ top: 0, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid {...GRID} horizontal={false} />
            <XAxis type="number" tick={TICK} tickFormatter={(v: number) => formatCount(v)} />
            <YAxis type="category" dataKey="label" tick={TICK} width={230} interval={0} />
            <Tooltip content={CountsTooltip} cursor={{ fill: 'currentColor', fillOpacity: 0.06 }} />
            <Bar dataKey="allowed" name="Allowed" stackId="d" fill={COLORS.allowed} isAnimationActive={false} shape={shape} />
            <Bar dataKey="blocked" name="Blocked" stackId="d" fill={COLORS.blocked} isAnimationActive={false} shape={shape} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <LegendButtons items={[{ key: 'allowed', label: 'Allowed', color: COLORS.allowed }, { key: 'blocked', label: 'Blocked', color: COLORS.blocked }]} />
      {menu.element}
    </div>
  );
  const table = (
    <table className="w-full text-sm" data-testid="account-breakdown-table">
      <caption className="sr-only">Decisions by region, provider and channel</caption>
      <thead className={tableHead}>
        <tr><th className={th}>Region</th><th className={th}>Provider</th><th className={th}>Channel</th>
          <th className={thNum}>Allowed</th><th className={thNum}>Blocked</th><th className={thNum}>Total</th><th className={thNum}>Block rate</th></tr>
      </thead>
      <tbody>
        {data.map((r) => (
          <tr key={r.label} className={tableRow}>
            <td className={td}>{r.region}</td>
            <td className={td}>{r.provider}</td>
            <td className={td}>
              <button type="button" className="text-sky-700 underline decoration-dotted dark:text-sky-400" onClick={(e) => openMenu(e.currentTarget, request(r))}>{r.channel}</button>
            </td>
            <td className={tdNum}>{formatCount(r.allowed)}</td><td className={tdNum}>{formatCount(r.blocked)}</td>
            <td className={tdNum}>{formatCount(r.total)}</td><td className={tdNum}>{formatRate(r.blockRate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return <ChartFrame id="account-breakdown" title="By region, provider and channel" chart={chart} table={table} />;
}
