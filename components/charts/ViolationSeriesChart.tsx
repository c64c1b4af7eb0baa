'use client';

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import { formatBucket, formatCount } from '@/components/analytics/format';
import type { Bucket } from '@/lib/analytics/filters';
import type { ViolationPoint } from '@/lib/analytics/violations';

import { ChartFrame } from './ChartFrame';
import { SeriesPreview, useHydrated } from './ChartPreview';
import { COLORS, GRID, LegendButtons, TICK, tableHead, tableRow, td, tdNum, th, thNum } from './parts';

/** Violations per bucket, both kinds stacked, with the same numbers as a table. */
export function ViolationSeriesChart({ points, bucket, tz }: { points: ViolationPoint[]; bucket: Bucket; tz: string }) {
  const hydrated = useHydrated();
  const data = points.map((p) => ({ ...p, label: formatBucket(p.bucket, bucket, tz) }));
  const title = `Violations per ${bucket} (${tz})`;
  const chart = (
    <div className="text-slate-600 dark:text-slate-400">
      <div className="h-64" role="img" aria-label={`${title}. The numbers are in the table view.`}>
        {hydrated ? (<ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 12, right: 12, bottom: 5, left: 0 }}>
            <CartesianGrid {...GRID} />
            <XAxis dataKey="label" tick={TICK} minTickGap={24} />
            <YAxis tick={TICK} width={56} tickFormatter={(v: number) => formatCount(v)} allowDecimals={false} />
            <Tooltip formatter={(v) => formatCount(Number(v))} />
            <Bar dataKey="allowedUnsupported" name="Allowed while unsupported" stackId="v" fill={COLORS.blocked} isAnimationActive={false} />
            <Bar dataKey="blockedSupported" name="Blocked while supported" stackId="v" fill={COLORS.allowed} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>) : (
          // Drawn by the server until the chart can measure itself (see ChartPreview).
          <SeriesPreview data={data.map((d) => ({ label: d.label, lower: d.allowedUnsupported, upper: d.blockedSupported, rate: null }))}
            kind="counts" colors={[COLORS.blocked, COLORS.allowed]} decimals={false} />
        )}
      </div>
      <LegendButtons items={[
        { key: 'allowedUnsupported', label: 'Allowed while unsupported', color: COLORS.blocked },
        { key: 'blockedSupported', label: 'Blocked while supported', color: COLORS.allowed },
      ]} />
    </div>
  );
  const table = (
    <table className="w-full text-sm">
      <caption className="sr-only">{title}</caption>
      <thead className={tableHead}>
        <tr><th className={th}>{bucket === 'week' ? 'Week from' : bucket === 'day' ? 'Day' : 'Hour'} ({tz})</th>
          <th className={thNum}>Allowed while unsupported</th><th className={thNum}>Blocked while supported</th></tr>
      </thead>
      <tbody>
        {data.map((d) => (
          <tr key={d.bucket} className={tableRow}>
            <td className={td}>{d.label}</td><td className={tdNum}>{formatCount(d.allowedUnsupported)}</td><td className={tdNum}>{formatCount(d.blockedSupported)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return <ChartFrame id="violations" title={title} chart={chart} table={table} />;
}
