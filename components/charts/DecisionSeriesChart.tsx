'use client';

import { useMemo } from 'react';
import { Bar, CartesianGrid, ComposedChart, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import { bucketOf } from '@/components/analytics/buckets';
import { useFilterMenu } from '@/components/analytics/FilterMenu';
import { formatBucket, formatCount, formatRate, formatTimeInZone } from '@/components/analytics/format';
import type { Bucket } from '@/lib/analytics/filters';
import type { PolicyMarker } from '@/lib/analytics/policy-markers';
import type { ChartKind } from '@/lib/analytics/view-params';

import { ChartFrame } from './ChartFrame';
import { SeriesPreview, useHydrated } from './ChartPreview';
import { COLORS, CountsTooltip, GRID, LegendButtons, TICK, tableHead, tableRow, td, tdNum, th, thNum, type CountsDatum } from './parts';

export interface SeriesPoint {
  /** Bucket start, ISO 8601 UTC instant. */
  bucket: string;
  allowed: number;
  blocked: number;
}

export type SeriesMarker = PolicyMarker;

const STATUS_WORDS: Record<SeriesMarker['status'], { text: string; tone: string }> = {
  supported: { text: 'supported', tone: 'text-allowed' },
  restricted: { text: 'restricted', tone: 'text-slate-700 dark:text-slate-300' },
  unsupported: { text: 'unsupported', tone: 'text-blocked' },
  ended: { text: 'policy ended', tone: 'text-slate-700 dark:text-slate-300' },
};

interface Datum extends CountsDatum {
  bucket: string;
  end: string;
  heading: string;
}

/** One line per policy change: "openai (all channels) blocked CN, HK, MO". */
function groupMarkers(markers: SeriesMarker[]) {
  const groups = new Map<string, SeriesMarker & { regions: string[] }>();
  for (const m of markers) {
    const key = `${m.at}|${m.provider}|${m.channel ?? ''}|${m.status}|${m.note ?? ''}`;
    const g = groups.get(key);
    if (g) g.regions.push(m.region);
    else groups.set(key, { ...m, regions: [m.region] });
  }
  return [...groups.values()];
}

/**
 * Allowed and blocked stacked per bucket (or the block rate), with a marker where a
 * region policy changed. Clicking a segment or legend item filters by that decision or
 * zooms to that bucket.
 */
export function DecisionSeriesChart({
  points,
  bucket,
  tz,
  markers,
  kind,
  controls,
}: {
  points: SeriesPoint[];
  bucket: Bucket;
  tz: string;
  markers: SeriesMarker[];
  kind: ChartKind;
  controls?: React.ReactNode;
}) {
  const menu = useFilterMenu();
  const hydrated = useHydrated();
  const data: Datum[] = useMemo(() => points.map((p, i) => {
    const total = p.allowed + p.blocked;
    const label = formatBucket(p.bucket, bucket, tz);
    return {
      ...p, total, blockRate: total ? p.blocked / total : null, label,
      end: points[i + 1]?.bucket ?? '', heading: `${bucket === 'week' ? 'Week of ' : ''}${label} (${tz})`,
    };
  }), [points, bucket, tz]);
  const starts = useMemo(() => points.map((p) => p.bucket), [points]);
  const policyChanges = useMemo(() => groupMarkers(markers), [markers]);
  const markerLabels = [...new Set(policyChanges.map((m) => bucketOf(m.at, starts)).filter((b): b is string => b !== null))]
    .map((b) => formatBucket(b, bucket, tz));

  const openSegment = (datum: Datum, decision: 'allowed' | 'blocked' | null, el: SVGElement) => {
    const range: Record<string, string | null> = { range: null, from: datum.bucket, ...(datum.end ? { to: datum.end } : {}) };
    menu.open(el, {
      targets: decision ? [{ dimension: 'decision', value: decision }] : [],
      drill: [
        { label: `Zoom to ${datum.heading}`, pathname: window.location.pathname, params: range },
        { label: `Decisions in ${datum.heading}`, pathname: '/decisions', params: range },
      ],
    });
  };
  const bucketName = bucket === 'week' ? 'week' : bucket;
  const title = kind === 'rate' ? `Block rate per ${bucketName}` : `Allowed and blocked per ${bucketName}`;

  const chart = (
    <div className="text-slate-600 dark:text-slate-400">
      <div className="h-80" role="img" aria-label={`${title}, ${tz}. The numbers are in the table view.`}>
        {hydrated ? (<ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={data} margin={{ top: 18, right: 12, bottom: 5, left: 0 }}>
            <CartesianGrid {...GRID} />
            <XAxis dataKey="label" tick={TICK} minTickGap={24} />
            {kind === 'rate' ? (
              <YAxis tick={TICK} width={56} domain={[0, 1]} tickFormatter={(v: number) => formatRate(v)} />
            ) : (
              <YAxis tick={TICK} width={56} tickFormatter={(v: number) => formatCount(v)} />
            )}
            <Tooltip content={CountsTooltip} cursor={{ fill: 'currentColor', fillOpacity: 0.06 }} />
            {kind === 'rate' ? (
              <Line dataKey="blockRate" name="Block rate" stroke={COLORS.rate} strokeWidth={2} dot={false} isAnimationActive={false} connectNulls={false} />
            ) : (
              <>
                <Bar dataKey="allowed" name="Allowed" stackId="d" fill={COLORS.allowed} isAnimationActive={false}
                  onClick={(item, _i, e) => openSegment(item.payload as Datum, 'allowed', e.currentTarget)} className="cursor-pointer" />
                <Bar dataKey="blocked" name="Blocked" stackId="d" fill={COLORS.blocked} isAnimationActive={false}
                  onClick={(item, _i, e) => openSegment(item.payload as Datum, 'blocked', e.currentTarget)} className="cursor-pointer" />
              </>
            )}
            {markerLabels.map((x) => (
              <ReferenceLine key={x} x={x} stroke="#7c3aed" strokeDasharray="4 3" strokeWidth={2}
                label={{ value: 'policy change', position: 'top', fill: '#7c3aed', fontSize: 11 }} />
            ))}
          </ComposedChart>
        </ResponsiveContainer>) : (
          <SeriesPreview data={data.map((d) => ({ label: d.label, lower: d.allowed, upper: d.blocked, rate: d.blockRate }))}
            kind={kind} colors={[COLORS.allowed, COLORS.blocked]} />
        )}
      </div>
      <LegendButtons items={[
        ...(kind === 'counts' ? [
          { key: 'allowed', label: 'Allowed', color: COLORS.allowed, onActivate: (el: HTMLElement) => menu.open(el, { targets: [{ dimension: 'decision', value: 'allowed' }] }) },
          { key: 'blocked', label: 'Blocked', color: COLORS.blocked, onActivate: (el: HTMLElement) => menu.open(el, { targets: [{ dimension: 'decision', value: 'blocked' }] }) },
        ] : [{ key: 'rate', label: 'Block rate', color: COLORS.rate }]),
        ...(markerLabels.length ? [{ key: 'policy', label: 'Region policy change', color: '#7c3aed' }] : []),
      ]} />
      {menu.element}
    </div>
  );

  const table = (
    <table className="w-full text-sm">
      <caption className="sr-only">{title} ({tz})</caption>
      <thead className={tableHead}>
        <tr><th className={th}>{bucket === 'week' ? 'Week from' : bucket === 'day' ? 'Day' : 'Hour'} ({tz})</th>
          <th className={thNum}>Allowed</th><th className={thNum}>Blocked</th><th className={thNum}>Total</th><th className={thNum}>Block rate</th></tr>
      </thead>
      <tbody>
        {data.map((d) => (
          <tr key={d.bucket} className={tableRow}>
            <td className={td}>{d.label}</td>
            <td className={tdNum}>{formatCount(d.allowed)}</td>
            <td className={tdNum}>{formatCount(d.blocked)}</td>
            <td className={tdNum}>{formatCount(d.total)}</td>
            <td className={tdNum}>{formatRate(d.blockRate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );

  return (
    <ChartFrame
      id="series"
      title={`${title} (${tz})`}
      subtitle={bucket === 'week' ? 'Weeks start on Monday.' : undefined}
      controls={controls}
      chart={chart}
      table={table}
      footer={policyChanges.length ? (
        <div className="mt-3 border-t border-slate-100 pt-3 text-xs dark:border-slate-800">
          <h3 className="font-semibold text-slate-700 dark:text-slate-300">Region policy changes in this range</h3>
          <ul className="mt-1 space-y-0.5" data-testid="policy-markers">
            {policyChanges.map((m) => (
              <li key={`${m.at}|${m.provider}|${m.channel}|${m.status}|${m.note}`}>
                <span className="tabular-nums">{formatTimeInZone(m.at, tz)}</span>: {m.provider}
                {m.channel ? ` via ${m.channel}` : ' (all channels)'}{' '}
                <span className={STATUS_WORDS[m.status].tone}>{STATUS_WORDS[m.status].text}</span> for {m.regions.join(', ')}
                {m.note ? ` — ${m.note}` : ''}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    />
  );
}
