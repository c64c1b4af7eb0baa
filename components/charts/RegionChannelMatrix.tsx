'use client';

import { useMemo } from 'react';

import { useFilterMenu } from '@/components/analytics/FilterMenu';
import { formatCount, formatRate } from '@/components/analytics/format';

import { ChartFrame } from './ChartFrame';
import { tableHead, tableRow, td, tdNum, th, thNum } from './parts';

export interface MatrixCell {
  region: string;
  channel: string;
  allowed: number;
  blocked: number;
  total: number;
  blockRate: number | null;
}

/** Block rate per caller region (rows) and channel (columns); each cell filters to that pair. */
export function RegionChannelMatrix({ cells }: { cells: MatrixCell[] }) {
  const menu = useFilterMenu();
  const { regions, channels, byPair } = useMemo(() => {
    const regionBlocked = new Map<string, number>();
    const channelTotal = new Map<string, number>();
    const byPair = new Map<string, MatrixCell>();
    for (const c of cells) {
      regionBlocked.set(c.region, (regionBlocked.get(c.region) ?? 0) + c.blocked * 1e9 + c.total);
      channelTotal.set(c.channel, (channelTotal.get(c.channel) ?? 0) + c.total);
      byPair.set(`${c.region}|${c.channel}`, c);
    }
    const order = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
    return { regions: order(regionBlocked), channels: order(channelTotal), byPair };
  }, [cells]);

  const open = (c: MatrixCell, el: HTMLElement) => menu.open(el, {
    targets: [{ dimension: 'region', value: c.region }, { dimension: 'channel', value: c.channel }],
    drill: [
      { label: `Break down region ${c.region} via ${c.channel}`, pathname: '/breakdown', params: { by: 'provider', by2: 'reason' } },
      { label: `Decisions in region ${c.region} via ${c.channel}`, pathname: '/decisions' },
    ],
  });

  const chart = (
    <div className="overflow-x-auto">
      <table className="border-separate border-spacing-0.5 text-xs" data-testid="region-channel-matrix">
        <caption className="sr-only">Block rate by region and channel</caption>
        <thead>
          <tr>
            <th scope="col" className="px-1 text-left font-medium text-slate-500">Region</th>
            {channels.map((ch) => (
              <th key={ch} scope="col" className="h-28 min-w-12 align-bottom font-medium text-slate-600 dark:text-slate-400">
                <span className="inline-block max-h-28 whitespace-nowrap [writing-mode:vertical-rl] rotate-180">{ch}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {regions.map((r) => (
            <tr key={r}>
              <th scope="row" className="px-1 text-left font-medium">{r}</th>
              {channels.map((ch) => {
                const c = byPair.get(`${r}|${ch}`);
                if (!c || c.total === 0) return <td key={ch} className="text-center text-slate-300 dark:text-slate-700" aria-label={`${r} via ${ch}: no decisions`}>·</td>;
                const pct = Math.round((c.blockRate ?? 0) * 100);
                return (
                  <td key={ch} className="p-0">
                    <button
                      type="button"
                      onClick={(e) => open(c, e.currentTarget)}
                      aria-label={`${r} via ${ch}: ${formatRate(c.blockRate)} blocked, ${formatCount(c.blocked)} of ${formatCount(c.total)}`}
                      title={`${r} via ${ch}: ${formatCount(c.blocked)} blocked of ${formatCount(c.total)}`}
                      className={`h-8 w-full min-w-12 rounded-sm px-1 tabular-nums ring-inset hover:ring-2 hover:ring-slate-500 ${pct > 55 ? 'text-white' : ''}`}
                      style={{ background: `color-mix(in srgb, var(--color-blocked) ${Math.max(pct, 4)}%, transparent)` }}
                    >
                      {pct}%
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {menu.element}
    </div>
  );

  const sorted = [...cells].sort((a, b) => b.blocked - a.blocked || b.total - a.total);
  const table = (
    <table className="w-full text-sm">
      <caption className="sr-only">Decisions by region and channel</caption>
      <thead className={tableHead}>
        <tr><th className={th}>Region</th><th className={th}>Channel</th><th className={thNum}>Allowed</th><th className={thNum}>Blocked</th><th className={thNum}>Block rate</th></tr>
      </thead>
      <tbody>
        {sorted.map((c) => (
          <tr key={`${c.region}|${c.channel}`} className={tableRow}>
            <td className={td}>{c.region}</td><td className={td}>{c.channel}</td>
            <td className={tdNum}>{formatCount(c.allowed)}</td><td className={tdNum}>{formatCount(c.blocked)}</td><td className={tdNum}>{formatRate(c.blockRate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );

  return (
    <ChartFrame
      id="matrix"
      title="Block rate by region and channel"
      subtitle="Share of each region's decisions through each channel that were blocked; regions by blocked count."
      chart={chart}
      table={table}
    />
  );
}
