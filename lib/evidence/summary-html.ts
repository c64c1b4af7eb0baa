import type { BreakdownRow } from '@/lib/analytics/breakdown';
import type { Bucket, Filters } from '@/lib/analytics/filters';
import type { Headline, Summary } from '@/lib/analytics/summary';
import type { SeriesPoint } from '@/lib/analytics/time-series';
import type { ViolationSummary } from '@/lib/analytics/violations';

import { escapeXml as esc, horizontalBarsSvg, stackedBarsSvg } from './svg-chart';

// The evidence pack's human-readable summary: one self-contained HTML page (inline CSS,
// SVG charts, no scripts) that prints on A4 and says what the pack covers and how to check it.

export interface SummaryInput {
  filters: Filters;
  generatedAt: Date;
  generatedBy: string;
  auditHead: { count: number; hash: string };
  totals: Summary;
  series: SeriesPoint[];
  bucket: Bucket;
  regions: BreakdownRow[];
  providers: BreakdownRow[];
  channels: BreakdownRow[];
  violations: ViolationSummary;
}

const n = (x: number) => x.toLocaleString('en');
const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);

function headlineRows(current: Headline, previous: Headline): string {
  const row = (label: string, a: string, b: string) => `<tr><th>${label}</th><td>${a}</td><td>${b}</td></tr>`;
  return [
    row('Decisions', n(current.decisions), n(previous.decisions)),
    row('Allowed', n(current.allowed), n(previous.allowed)),
    row('Blocked', n(current.blocked), n(previous.blocked)),
    row('Block rate', pct(current.blockRate), pct(previous.blockRate)),
    row('Accounts', n(current.accounts), n(previous.accounts)),
  ].join('');
}

function breakdownTable(title: string, rows: BreakdownRow[]): string {
  const body = rows.map((r) => `<tr><th>${esc(r.key)}</th><td>${n(r.allowed)}</td><td>${n(r.blocked)}</td><td>${pct(r.blockRate)}</td></tr>`).join('');
  return `<h3>${esc(title)}</h3><table><thead><tr><th></th><th>Allowed</th><th>Blocked</th><th>Block rate</th></tr></thead><tbody>${body}</tbody></table>`;
}

export function renderSummaryHtml(s: SummaryInput): string {
  const { filters } = s;
  const v = s.violations;
  const label = (iso: string) => (s.bucket === 'hour' ? iso.slice(5, 16).replace('T', ' ') : iso.slice(0, 10));
  const bars = (rows: BreakdownRow[]) => rows.map((r) => ({ label: r.key, allowed: r.allowed, blocked: r.blocked }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatewatch evidence pack</title>
<style>
  body { font: 11pt/1.45 system-ui, sans-serif; color: #0f172a; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
  h1 { font-size: 18pt; margin: 0 0 .25rem; } h2 { font-size: 13pt; margin-top: 1.5rem; border-bottom: 1px solid #cbd5e1; }
  h3 { font-size: 11pt; margin-bottom: .25rem; }
  table { border-collapse: collapse; margin: .5rem 0; } th, td { padding: .15rem .6rem; text-align: right; border-bottom: 1px solid #e2e8f0; }
  th:first-child { text-align: left; } code { font-size: 9pt; word-break: break-all; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem; }
  svg { max-width: 100%; height: auto; } section { break-inside: avoid; }
  @media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } }
</style></head><body>
<h1>Gatewatch evidence pack</h1>
<p>Decisions from <strong>${esc(filters.from.toISOString())}</strong> to <strong>${esc(filters.to.toISOString())}</strong>
 (UTC, end excluded)${filtersToText(filters)}. Generated ${esc(s.generatedAt.toISOString())} by ${esc(s.generatedBy)}.</p>
<section><h2>Headline</h2>
<table><thead><tr><th></th><th>This range</th><th>Previous period (from ${esc(s.totals.previousFrom.toISOString())})</th></tr></thead>
<tbody>${headlineRows(s.totals.current, s.totals.previous)}</tbody></table></section>
<section><h2>Policy violations</h2>
<table><thead><tr><th></th><th>This range</th><th>Previous period</th></tr></thead><tbody>
<tr><th>Allowed while the region was unsupported</th><td>${n(v.current.allowedUnsupported)}</td><td>${n(v.previous.allowedUnsupported)}</td></tr>
<tr><th>Blocked while the region was supported</th><td>${n(v.current.blockedSupported)}</td><td>${n(v.previous.blockedSupported)}</td></tr>
<tr><th>Accounts with violations</th><td>${n(v.current.accounts)}</td><td>${n(v.previous.accounts)}</td></tr>
</tbody></table><p>Every violating decision is in violations.csv with the policy version it contradicts; the versions in force are in policies.csv.</p></section>
<section><h2>Decisions over time</h2>
${stackedBarsSvg(s.series.map((p) => ({ label: label(p.bucket), allowed: p.allowed, blocked: p.blocked })), { title: `Allowed and blocked per ${s.bucket}` })}</section>
<section><h2>Breakdowns</h2><div class="grid">
<div>${horizontalBarsSvg(bars(s.regions), { title: 'By caller region' })}</div>
<div>${horizontalBarsSvg(bars(s.providers), { title: 'By provider' })}</div>
<div>${horizontalBarsSvg(bars(s.channels), { title: 'By channel' })}</div></div>
${breakdownTable('By caller region', s.regions)}${breakdownTable('By provider', s.providers)}${breakdownTable('By channel', s.channels)}</section>
<section><h2>How to check this pack</h2>
<p>manifest.json lists every file of the pack with its size and SHA-256; <code>npm run gw -- evidence verify PACK.zip</code> recomputes them
and names any file that differs, is missing or was added. When the pack was made the audit trail held ${n(s.auditHead.count)} entries with head
<code>${esc(s.auditHead.hash)}</code>; <code>npm run gw -- audit verify --head ${esc(s.auditHead.hash)}</code> on the Gatewatch that made it
proves the trail up to then has not changed. The pack itself is recorded in that trail (action evidence.export) with the files' hashes.</p></section>
</body></html>
`;
}

function filtersToText(f: Filters): string {
  const parts: string[] = [];
  for (const [name, d] of [['region', f.region], ['provider', f.provider], ['channel', f.channel], ['decision', f.decision]] as const) {
    if (d.include.length) parts.push(`${name} ${d.include.join(', ')}`);
    if (d.exclude.length) parts.push(`${name} not ${d.exclude.join(', ')}`);
  }
  return parts.length ? `, filtered to ${esc(parts.join('; '))}` : ', all decisions';
}
