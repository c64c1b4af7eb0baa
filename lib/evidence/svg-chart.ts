// Charts for the printable summary inside an evidence pack. The pack is opened offline,
// printed, and kept for years, so the charts are plain SVG strings built on the server: no
// scripts, no fonts to fetch, no DOM or React. Labels come from uploaded data, so every
// text value goes through escapeXml.

export interface DecisionCounts {
  label: string;
  allowed: number;
  blocked: number;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  title?: string;
}

// Blue and orange stay apart for colour-blind readers and in greyscale print.
const COLOURS = { allowed: '#2563eb', blocked: '#ea580c' } as const;
const GRID = '#e5e7eb';
const AXIS = '#6b7280';
const INK = '#111827';
const FONT_SIZE = 11;
// No text measurement without a DOM: an average glyph of a sans-serif face is ~0.6 em wide.
const CHAR_WIDTH = FONT_SIZE * 0.6;
const HEADER = 36;
const BREAKDOWN_ROWS = 15;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
// XML 1.0 forbids these outright (C0 controls other than tab/LF/CR, lone surrogates,
// U+FFFE/U+FFFF): they cannot be escaped, only dropped, and one would make the SVG unreadable.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/gu;

export function escapeXml(s: string): string {
  return s.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const formatCount = (n: number) => numberFormat.format(n);
const round = (n: number) => Math.round(n * 100) / 100;
// A negative or NaN count is bad input, not a reason to draw bars upwards or emit "NaN".
const count = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);
const dimension = (n: number | undefined, fallback: number, min: number) =>
  n !== undefined && Number.isFinite(n) ? Math.max(min, n) : fallback;

function truncate(s: string, max: number): string {
  const chars = Array.from(s); // code points, so an emoji is never cut in half
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

const textWidth = (s: string) => Array.from(s).length * CHAR_WIDTH;
// Not Math.max(...xs): spreading a long series overflows the call stack.
const maxOf = (xs: number[]) => xs.reduce((m, x) => (x > m ? x : m), 0);

/** Round ticks from 0 covering `max` in 3-4 steps (1, 2, 2.5 or 5 times a power of ten). */
function niceTicks(max: number): number[] {
  for (let exp = 0; exp < 300; exp += 1) {
    for (const m of [1, 2, 2.5, 5]) {
      const step = m * 10 ** exp;
      if (!Number.isInteger(step)) continue; // counts: no tick at 2.5 decisions
      const steps = Math.max(1, Math.ceil(max / step));
      if (steps <= 4) return Array.from({ length: steps + 1 }, (_, i) => i * step);
    }
  }
  return [0, max];
}

interface Frame {
  width: number;
  height: number;
  title: string;
  desc: string;
}

function svg(frame: Frame, body: string[]): string {
  const { width, height } = frame;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="${FONT_SIZE}">`,
    `<title>${escapeXml(frame.title)}</title>`,
    `<desc>${escapeXml(frame.desc)}</desc>`,
    `<text x="0" y="16" font-size="14" font-weight="600" fill="${INK}">${escapeXml(frame.title)}</text>`,
    ...body,
    '</svg>',
  ].join('\n');
}

function noData(frame: Omit<Frame, 'desc'>): string {
  return svg({ ...frame, desc: 'No data' }, [
    `<text x="${round(frame.width / 2)}" y="${round(frame.height / 2)}" text-anchor="middle" fill="${AXIS}">No data</text>`,
  ]);
}

function legend(right: number): string {
  const item = (x: number, series: keyof typeof COLOURS, text: string) =>
    `<rect x="${x}" y="7" width="10" height="10" fill="${COLOURS[series]}"/>` +
    `<text x="${x + 14}" y="16" fill="${INK}">${text}</text>`;
  return `<g class="legend">${item(right - 130, 'allowed', 'Allowed')}${item(right - 60, 'blocked', 'Blocked')}</g>`;
}

function bar(series: keyof typeof COLOURS, x: number, y: number, w: number, h: number, tooltip: string): string {
  return (
    `<rect data-series="${series}" x="${round(x)}" y="${round(y)}" width="${round(w)}" height="${round(h)}" fill="${COLOURS[series]}">` +
    `<title>${escapeXml(tooltip)}</title></rect>`
  );
}

function clean(points: DecisionCounts[]): DecisionCounts[] {
  return points.map((p) => ({ label: String(p.label), allowed: count(p.allowed), blocked: count(p.blocked) }));
}

const totals = (rows: DecisionCounts[]) =>
  `${formatCount(rows.reduce((s, r) => s + r.allowed, 0))} allowed, ${formatCount(rows.reduce((s, r) => s + r.blocked, 0))} blocked`;

/** Allowed and blocked decisions per period, stacked, oldest first. */
export function stackedBarsSvg(points: DecisionCounts[], options: ChartOptions = {}): string {
  const width = dimension(options.width, 720, 240);
  const height = dimension(options.height, 300, 140);
  const title = options.title ?? 'Decisions over time';
  if (points.length === 0) return noData({ width, height, title });

  const data = clean(points);
  const max = maxOf(data.map((p) => p.allowed + p.blocked));
  const ticks = max > 0 ? niceTicks(max) : [0];
  const top = ticks.at(-1) || 1;

  const left = maxOf(ticks.map((t) => textWidth(formatCount(t)))) + 12;
  const plot = { x: left, y: HEADER, w: width - left - 12, h: height - HEADER - 32 };
  const baseline = plot.y + plot.h;
  const scale = (v: number) => (v / top) * plot.h;

  const body: string[] = [legend(width)];
  for (const t of ticks) {
    const y = round(baseline - scale(t));
    body.push(
      `<line x1="${round(plot.x)}" x2="${round(plot.x + plot.w)}" y1="${y}" y2="${y}" stroke="${t === 0 ? AXIS : GRID}"/>`,
      `<text x="${round(plot.x - 6)}" y="${round(y + 4)}" text-anchor="end" fill="${AXIS}">${formatCount(t)}</text>`,
    );
  }

  const slot = plot.w / data.length;
  const barWidth = Math.max(1, slot * 0.72);
  const labels = data.map((p) => truncate(p.label, 16));
  // Show every n-th label so that neighbours never overlap.
  const every = Math.max(1, Math.ceil((maxOf(labels.map(textWidth)) + 8) / slot));
  data.forEach((p, i) => {
    const centre = plot.x + slot * (i + 0.5);
    const x = centre - barWidth / 2;
    const hAllowed = scale(p.allowed);
    const hBlocked = scale(p.blocked);
    if (p.allowed > 0) body.push(bar('allowed', x, baseline - hAllowed, barWidth, hAllowed, `${p.label}: ${formatCount(p.allowed)} allowed`));
    if (p.blocked > 0) {
      body.push(bar('blocked', x, baseline - hAllowed - hBlocked, barWidth, hBlocked, `${p.label}: ${formatCount(p.blocked)} blocked`));
    }
    if (i % every === 0) {
      body.push(`<text class="x-label" x="${round(centre)}" y="${round(baseline + 16)}" text-anchor="middle" fill="${AXIS}">${escapeXml(labels[i]!)}</text>`);
    }
  });
  if (max === 0) {
    body.push(`<text x="${round(plot.x + plot.w / 2)}" y="${round(plot.y + plot.h / 2)}" text-anchor="middle" fill="${AXIS}">All counts are zero</text>`);
  }

  const first = data[0]!.label;
  const last = data.at(-1)!.label;
  const desc = `${data.length} periods from ${first} to ${last}: ${totals(data)}.`;
  return svg({ width, height, title, desc }, body);
}

/** One stacked bar per row, largest total first; at most `maxRows`, and says so when it cuts. */
export function horizontalBarsSvg(
  rows: DecisionCounts[],
  options: ChartOptions & { maxRows?: number } = {},
): string {
  const width = dimension(options.width, 720, 240);
  const title = options.title ?? 'Breakdown';
  if (rows.length === 0) return noData({ width, height: dimension(options.height, 120, 80), title });

  const maxRows = Math.max(1, Math.floor(options.maxRows ?? BREAKDOWN_ROWS));
  const all = clean(rows);
  // Array.prototype.sort is stable: equal totals keep the caller's order.
  const shown = [...all].sort((a, b) => b.allowed + b.blocked - (a.allowed + a.blocked)).slice(0, maxRows);
  const cut = all.length > shown.length;

  const footer = 24 + (cut ? 16 : 0);
  const fixedHeight = options.height !== undefined && Number.isFinite(options.height) ? options.height : null;
  const rowHeight = fixedHeight === null ? 22 : Math.max(8, (fixedHeight - HEADER - footer) / shown.length);
  const height = round(HEADER + rowHeight * shown.length + footer);

  const labels = shown.map((r) => truncate(r.label, 28));
  const labelWidth = Math.min(width * 0.4, maxOf(labels.map(textWidth)) + 12);
  const max = maxOf(shown.map((r) => r.allowed + r.blocked));
  const ticks = max > 0 ? niceTicks(max) : [0];
  const top = ticks.at(-1) || 1;
  const totalWidth = maxOf(shown.map((r) => textWidth(formatCount(r.allowed + r.blocked)))) + 10;
  const plot = { x: labelWidth, y: HEADER, w: width - labelWidth - totalWidth, h: rowHeight * shown.length };
  const scale = (v: number) => (v / top) * plot.w;

  const body: string[] = [legend(width)];
  for (const t of ticks) {
    const x = round(plot.x + scale(t));
    body.push(
      `<line x1="${x}" x2="${x}" y1="${round(plot.y)}" y2="${round(plot.y + plot.h)}" stroke="${t === 0 ? AXIS : GRID}"/>`,
      `<text x="${x}" y="${round(plot.y + plot.h + 14)}" text-anchor="middle" fill="${AXIS}">${formatCount(t)}</text>`,
    );
  }
  const thickness = rowHeight * 0.64;
  shown.forEach((r, i) => {
    const y = plot.y + rowHeight * i + (rowHeight - thickness) / 2;
    const middle = round(y + thickness / 2 + 4);
    const wAllowed = scale(r.allowed);
    const wBlocked = scale(r.blocked);
    body.push(`<text class="row-label" x="${round(plot.x - 8)}" y="${middle}" text-anchor="end" fill="${INK}">${escapeXml(labels[i]!)}</text>`);
    if (r.allowed > 0) body.push(bar('allowed', plot.x, y, wAllowed, thickness, `${r.label}: ${formatCount(r.allowed)} allowed`));
    if (r.blocked > 0) body.push(bar('blocked', plot.x + wAllowed, y, wBlocked, thickness, `${r.label}: ${formatCount(r.blocked)} blocked`));
    body.push(`<text x="${round(plot.x + wAllowed + wBlocked + 4)}" y="${middle}" fill="${AXIS}">${formatCount(r.allowed + r.blocked)}</text>`);
  });
  if (cut) {
    body.push(`<text x="0" y="${round(height - 4)}" fill="${AXIS}">Top ${shown.length} of ${formatCount(all.length)} rows shown, by total decisions.</text>`);
  }

  const desc = `${shown.length} of ${all.length} rows: ${totals(all)} in all rows.`;
  return svg({ width, height, title, desc }, body);
}
