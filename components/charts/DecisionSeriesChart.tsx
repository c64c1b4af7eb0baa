'use client';

import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface SeriesPoint {
  bucket: string;
  allowed: number;
  blocked: number;
}

const nf = new Intl.NumberFormat('en');

/** Allowed and blocked stacked per bucket; the same numbers are one click away as a table. */
export function DecisionSeriesChart({ data, bucketLabel }: { data: SeriesPoint[]; bucketLabel: string }) {
  const [asTable, setAsTable] = useState(false);
  return (
    <div>
      <div className="mb-2 flex justify-end">
        <button type="button" className="text-xs text-sky-700 underline dark:text-sky-400" onClick={() => setAsTable(!asTable)}>
          {asTable ? 'Show chart' : 'Show as table'}
        </button>
      </div>
      {asTable ? (
        <div className="max-h-80 overflow-auto">
          <table className="w-full text-sm tabular-nums">
            <thead className="sticky top-0 bg-white text-left dark:bg-slate-900">
              <tr><th className="py-1">{bucketLabel}</th><th className="text-right">Allowed</th><th className="text-right">Blocked</th><th className="text-right">Total</th></tr>
            </thead>
            <tbody>
              {data.map((p) => (
                <tr key={p.bucket} className="border-t border-slate-100 dark:border-slate-800">
                  <td className="py-1">{p.bucket}</td>
                  <td className="text-right">{nf.format(p.allowed)}</td>
                  <td className="text-right">{nf.format(p.blocked)}</td>
                  <td className="text-right">{nf.format(p.allowed + p.blocked)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <div className="h-80" role="img" aria-label={`Allowed and blocked decisions per ${bucketLabel.toLowerCase()}`}>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={data} margin={{ top: 5, right: 10, bottom: 5, left: 10 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} />
              <XAxis dataKey="bucket" tick={{ fontSize: 11 }} minTickGap={20} />
              <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => nf.format(v)} width={70} />
              <Tooltip formatter={(v) => nf.format(Number(v))} />
              <Legend />
              <Bar dataKey="allowed" name="Allowed" stackId="d" fill="var(--color-allowed)" />
              <Bar dataKey="blocked" name="Blocked" stackId="d" fill="var(--color-blocked)" />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
    </div>
  );
}
