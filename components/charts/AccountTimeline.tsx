'use client';

import { useMemo } from 'react';
import { Bar, CartesianGrid, ComposedChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import { useFilterMenu } from '@/components/analytics/FilterMenu';
import { formatBucket, formatCount, formatRate } from '@/components/analytics/format';
import type { Bucket } from '@/lib/analytics/filters';

import { ChartFrame } from './ChartFrame';
import { COLORS, CountsTooltip, GRID, LegendButtons, TICK, tableHead, tableRow, td, tdNum, th, thNum, type CountsDatum } from './parts';

/** One bucket of one provider and channel (lib/analytics/account's ChannelPoint). */
export interface TimelinePoint {
  bucket: string;
  provider: string;
  channel: string;
  allowed: number;
  blocked: number;
}

interface TimelineLane {
  provider: string;
  channel: string;
  points: TimelinePoint[];
}

/** Lanes by provider and channel, busiest first. */
function toLanes(points: TimelinePoint[]): TimelineLane[] {
  const lanes = new Map<string, TimelineLane>();
  for (const p of points) {
    const key = `${p.provider}|${p.channel}`;
    const lane = lanes.get(key) ?? { provider: p.provider, channel: p.channel, points: [] };
    lane.points.push(p);
    lanes.set(key, lane);
  }
  const size = (l: TimelineLane) => l.points.reduce((s, p) => s + p.allowed + p.blocked, 0);
  return [...lanes.values()].sort((a, b) => size(b) - size(a) || a.provider.localeCompare(b.provider) || a.channel.localeCompare(b.channel));
}

const Y_WIDTH = 56;

/**
 * One lane per provider and channel, all on the same buckets and the same x axis (and
 * a shared tooltip), so a block on one channel next to an allow on another at the same
 * time shows at a glance. Each lane has its own count scale.
 */
export function AccountTimeline({ points, buckets, bucket, tz, controls }: {
  points: TimelinePoint[];
  buckets: string[];
  bucket: Bucket;
  tz: string;
  controls?: React.ReactNode;
}) {
  const menu = useFilterMenu();
  const prepared = useMemo(() => toLanes(points).map((lane) => {
    const byBucket = new Map(lane.points.map((p) => [p.bucket, p]));
    const data: (CountsDatum & { bucket: string; heading: string })[] = buckets.map((b) => {
      const p = byBucket.get(b);
      const allowed = p?.allowed ?? 0;
      const blocked = p?.blocked ?? 0;
      const label = formatBucket(b, bucket, tz);
      return { bucket: b, label, heading: `${lane.provider} · ${lane.channel}, ${label} (${tz})`, allowed, blocked,
        total: allowed + blocked, blockRate: allowed + blocked ? blocked / (allowed + blocked) : null };
    });
    const allowed = lane.points.reduce((s, p) => s + p.allowed, 0);
    const blocked = lane.points.reduce((s, p) => s + p.blocked, 0);
    return { ...lane, data, allowed, blocked };
  }), [points, buckets, bucket, tz]);

  const laneMenu = (lane: TimelineLane, el: HTMLElement | SVGElement) => menu.open(el, {
    targets: [{ dimension: 'provider', value: lane.provider }, { dimension: 'channel', value: lane.channel }],
  });

  const chart = (
    <div className="text-slate-600 dark:text-slate-400">
      <ol className="space-y-1" aria-label="Channels">
        {prepared.map((lane, i) => {
          const last = i === prepared.length - 1;
          return (
            <li key={`${lane.provider}|${lane.channel}`} data-testid="timeline-lane" data-provider={lane.provider} data-channel={lane.channel}
              data-allowed={lane.allowed} data-blocked={lane.blocked} aria-label={`${lane.provider} · ${lane.channel}`}>
              <div className="flex items-baseline justify-between gap-3 text-xs">
                <button type="button" className="font-semibold text-slate-800 hover:underline dark:text-slate-200" onClick={(e) => laneMenu(lane, e.currentTarget)}>
                  {lane.provider} · {lane.channel}
                </button>
                <span className="tabular-nums">
                  <span className="text-blocked">{formatCount(lane.blocked)} blocked</span> · <span className="text-allowed">{formatCount(lane.allowed)} allowed</span>
                </span>
              </div>
              <div style={{ height: last ? 100 : 72 }} role="img" aria-label={`${lane.provider} · ${lane.channel}: ${formatCount(lane.blocked)} blocked and ${formatCount(lane.allowed)} allowed in the range`}>
                <ResponsiveContainer width="100%" height="100%">
                  <ComposedChart data={lane.data} syncId="account-timeline" margin={{ top: 4, right: 12, bottom: 0, left: 0 }} barCategoryGap={1}>
                    <CartesianGrid {...GRID} vertical={false} />
                    <XAxis dataKey="label" tick={last ? TICK : false} height={last ? 28 : 2} minTickGap={24} />
                    <YAxis tick={TICK} width={Y_WIDTH} allowDecimals={false} tickCount={3} tickFormatter={(v: number) => formatCount(v)} />
                    <Tooltip content={CountsTooltip} cursor={{ fill: 'currentColor', fillOpacity: 0.08 }} />
                    <Bar dataKey="allowed" name="Allowed" stackId="d" fill={COLORS.allowed} isAnimationActive={false}
                      onClick={(_d, _i, e) => laneMenu(lane, e.currentTarget)} className="cursor-pointer" />
                    <Bar dataKey="blocked" name="Blocked" stackId="d" fill={COLORS.blocked} isAnimationActive={false}
                      onClick={(_d, _i, e) => laneMenu(lane, e.currentTarget)} className="cursor-pointer" />
                  </ComposedChart>
                </ResponsiveContainer>
              </div>
            </li>
          );
        })}
      </ol>
      <LegendButtons items={[
        { key: 'allowed', label: 'Allowed', color: COLORS.allowed, onActivate: (el) => menu.open(el, { targets: [{ dimension: 'decision', value: 'allowed' }] }) },
        { key: 'blocked', label: 'Blocked', color: COLORS.blocked, onActivate: (el) => menu.open(el, { targets: [{ dimension: 'decision', value: 'blocked' }] }) },
      ]} />
      {menu.element}
    </div>
  );

  const rows = prepared.flatMap((lane) => lane.data.filter((d) => d.total > 0).map((d) => ({ ...d, provider: lane.provider, channel: lane.channel })))
    .sort((a, b) => a.bucket.localeCompare(b.bucket) || a.provider.localeCompare(b.provider) || a.channel.localeCompare(b.channel));
  const table = (
    <table className="w-full text-sm">
      <caption className="sr-only">Decisions per {bucket} and channel ({tz})</caption>
      <thead className={tableHead}>
        <tr><th className={th}>{bucket === 'week' ? 'Week from' : bucket === 'day' ? 'Day' : 'Hour'} ({tz})</th><th className={th}>Provider</th><th className={th}>Channel</th>
          <th className={thNum}>Allowed</th><th className={thNum}>Blocked</th><th className={thNum}>Block rate</th></tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.bucket}|${r.provider}|${r.channel}`} className={tableRow}>
            <td className={td}>{r.label}</td><td className={td}>{r.provider}</td><td className={td}>{r.channel}</td>
            <td className={tdNum}>{formatCount(r.allowed)}</td><td className={tdNum}>{formatCount(r.blocked)}</td><td className={tdNum}>{formatRate(r.blockRate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );

  return (
    <ChartFrame
      id="timeline"
      title={`Timeline per channel, per ${bucket} (${tz})`}
      subtitle="Channels share the time axis; each has its own count scale."
      controls={controls}
      chart={chart}
      table={table}
    />
  );
}
