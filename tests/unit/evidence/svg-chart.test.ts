import { describe, expect, it } from 'vitest';

import { escapeXml, horizontalBarsSvg, stackedBarsSvg } from '../../../lib/evidence/svg-chart';

/** Enough of XML to catch what string building gets wrong: balance, raw `<` and `&`. */
function expectWellFormed(xml: string): void {
  const entity = '&(?:amp|lt|gt|quot|apos);';
  const attr = `\\s+[\\w:-]+="(?:[^"<&]|${entity})*"`;
  const tag = new RegExp(`<(/?)([A-Za-z][\\w:-]*)((?:${attr})*)\\s*(/?)>`, 'g');
  const text = new RegExp(`^(?:[^<>&]|${entity})*$`);
  const open: string[] = [];
  let last = 0;
  for (const m of xml.matchAll(tag)) {
    expect(xml.slice(last, m.index), `text before ${m[0]}`).toMatch(text);
    last = m.index + m[0].length;
    const [, closing, name, , selfClosing] = m;
    if (closing) expect(open.pop()).toBe(name);
    else if (!selfClosing) open.push(name!);
    if (open.length === 0) expect(xml.slice(last).trim(), 'content after the root element').toBe('');
  }
  expect(open).toEqual([]);
}

interface Bar {
  series: string;
  x: number;
  y: number;
  width: number;
  height: number;
  tooltip: string;
}

function barsOf(svg: string): Bar[] {
  const re = /<rect data-series="(\w+)" x="([\d.-]+)" y="([\d.-]+)" width="([\d.-]+)" height="([\d.-]+)"[^>]*><title>([^<]*)<\/title>/g;
  return [...svg.matchAll(re)].map((m) => ({
    series: m[1]!,
    x: Number(m[2]),
    y: Number(m[3]),
    width: Number(m[4]),
    height: Number(m[5]),
    tooltip: m[6]!,
  }));
}

const textsOf = (svg: string, attrs: string) =>
  [...svg.matchAll(new RegExp(`<text ${attrs}[^>]*>([^<]*)</text>`, 'g'))].map((m) => m[1]!);
const yTicks = (svg: string) => textsOf(svg, 'x="[\\d.]+" y="[\\d.]+" text-anchor="end" fill="#6b7280"');

const HOSTILE = '<script>alert("x")</script> & \u0007co';

describe('escapeXml', () => {
  it('escapes the five XML specials and drops characters XML cannot carry', () => {
    expect(escapeXml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;');
    expect(escapeXml('bell\u0007 nul\u0000 lone\uD800 ok\tline\nend')).toBe('bell nul lone ok\tline\nend');
    expect(escapeXml('emoji 🚦 stays')).toBe('emoji 🚦 stays');
  });
});

describe('stackedBarsSvg', () => {
  const week = [
    { label: 'Mon', allowed: 100, blocked: 0 },
    { label: 'Tue', allowed: 200, blocked: 50 },
  ];

  it('is a standalone, accessible, well-formed SVG', () => {
    const svg = stackedBarsSvg(week, { title: 'Decisions per day', width: 600, height: 260 });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="600" height="260" viewBox="0 0 600 260" role="img"/);
    expect(svg).toMatch(/^<svg[^>]*>\n<title>Decisions per day<\/title>/);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).toContain('>Allowed</text>');
    expect(svg).toContain('>Blocked</text>');
    expectWellFormed(svg);
  });

  it('draws bar heights in proportion to the counts, blocked stacked on allowed', () => {
    const bars = barsOf(stackedBarsSvg(week));
    const [mon, tueAllowed, tueBlocked] = bars;
    expect(bars.map((b) => b.series)).toEqual(['allowed', 'allowed', 'blocked']);
    expect(tueAllowed!.height).toBeGreaterThan(50);
    expect(tueAllowed!.height / mon!.height).toBeCloseTo(2, 2);
    expect(tueBlocked!.height / mon!.height).toBeCloseTo(0.5, 2);
    expect(tueBlocked!.y + tueBlocked!.height).toBeCloseTo(tueAllowed!.y, 1);
    expect(mon!.y + mon!.height).toBeCloseTo(tueAllowed!.y + tueAllowed!.height, 1); // one baseline
    expect(tueBlocked!.x).toBe(tueAllowed!.x);
    expect(mon!.x).toBeLessThan(tueAllowed!.x);
    expect(tueBlocked!.tooltip).toBe('Tue: 50 blocked');
  });

  it('labels the y axis with a few round ticks and thousands separators', () => {
    expect(yTicks(stackedBarsSvg([{ label: 'Jan', allowed: 10_000, blocked: 2_345 }]))).toEqual(['0', '5,000', '10,000', '15,000']);
    expect(yTicks(stackedBarsSvg([{ label: 'Jan', allowed: 60, blocked: 40 }]))).toEqual(['0', '25', '50', '75', '100']);
    const big = yTicks(stackedBarsSvg([{ label: 'Jan', allowed: 3_700_000, blocked: 0 }]));
    expect(big).toEqual(['0', '1,000,000', '2,000,000', '3,000,000', '4,000,000']);
  });

  it('thins x labels so that neighbours do not overlap', () => {
    const days = Array.from({ length: 365 }, (_, i) => ({
      label: new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10),
      allowed: i,
      blocked: 1,
    }));
    const svg = stackedBarsSvg(days, { width: 720 });
    const xs = [...svg.matchAll(/<text class="x-label" x="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({ x: Number(m[1]), label: m[2] }));
    expect(xs[0]!.label).toBe('2026-01-01');
    expect(xs.length).toBeGreaterThan(3);
    expect(xs.length).toBeLessThan(20);
    for (let i = 1; i < xs.length; i += 1) expect(xs[i]!.x - xs[i - 1]!.x).toBeGreaterThan('2026-01-01'.length * 6.6);
    expect(barsOf(svg).filter((b) => b.series === 'allowed')).toHaveLength(364); // day 0 has no allowed bar
  });

  it('escapes labels and titles', () => {
    const svg = stackedBarsSvg([{ label: HOSTILE, allowed: 1, blocked: 1 }], { title: HOSTILE });
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('\u0007');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expectWellFormed(svg);
  });

  it('says No data for an empty series, and survives all-zero and bad counts', () => {
    const empty = stackedBarsSvg([], { title: 'Decisions' });
    expect(empty).toContain('>No data</text>');
    expect(empty).toContain('<title>Decisions</title>');
    expect(barsOf(empty)).toEqual([]);
    expectWellFormed(empty);

    const zeros = stackedBarsSvg([{ label: 'Mon', allowed: 0, blocked: 0 }, { label: 'Tue', allowed: 0, blocked: 0 }]);
    expect(zeros).not.toMatch(/NaN|Infinity/);
    expect(barsOf(zeros)).toEqual([]);
    expect(zeros).toContain('All counts are zero');
    expect(yTicks(zeros)).toEqual(['0']);
    expectWellFormed(zeros);

    const bad = stackedBarsSvg([{ label: 'Mon', allowed: Number.NaN, blocked: -5 }, { label: 'Tue', allowed: 4, blocked: Infinity }]);
    expect(bad).not.toMatch(/NaN|Infinity|-\d/);
    expect(barsOf(bad).map((b) => b.series)).toEqual(['allowed']);
  });
});

describe('horizontalBarsSvg', () => {
  const regions = Array.from({ length: 20 }, (_, i) => ({ label: `region-${i}`, allowed: (i + 1) * 10, blocked: i }));

  it('shows the 15 largest rows, largest first, and says that it cut the rest', () => {
    const svg = horizontalBarsSvg(regions, { title: 'By region' });
    const labels = textsOf(svg, 'class="row-label"');
    expect(labels).toEqual(Array.from({ length: 15 }, (_, i) => `region-${19 - i}`));
    expect(svg).toContain('Top 15 of 20 rows shown');
    expect(svg).toContain('<title>By region</title>');
    expectWellFormed(svg);

    const all = horizontalBarsSvg(regions.slice(0, 3));
    expect(textsOf(all, 'class="row-label"')).toEqual(['region-2', 'region-1', 'region-0']);
    expect(all).not.toContain('Top ');
  });

  it('draws widths in proportion to the counts, label on the left of its bar', () => {
    const svg = horizontalBarsSvg([
      { label: 'eu-west', allowed: 200, blocked: 100 },
      { label: 'us-east', allowed: 100, blocked: 0 },
    ]);
    const [euAllowed, euBlocked, usAllowed] = barsOf(svg);
    expect(euAllowed!.width / usAllowed!.width).toBeCloseTo(2, 2);
    expect(euBlocked!.width / usAllowed!.width).toBeCloseTo(1, 2);
    expect(euBlocked!.x).toBeCloseTo(euAllowed!.x + euAllowed!.width, 1);
    expect(usAllowed!.y).toBeGreaterThan(euAllowed!.y);
    const labelX = Number(/<text class="row-label" x="([\d.]+)"/.exec(svg)![1]);
    expect(labelX).toBeLessThanOrEqual(euAllowed!.x);
    expect(svg).toContain('>300</text>');
  });

  it('escapes labels and handles empty input', () => {
    const svg = horizontalBarsSvg([{ label: HOSTILE, allowed: 1, blocked: 0 }]);
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;');
    expectWellFormed(svg);

    const empty = horizontalBarsSvg([]);
    expect(empty).toContain('>No data</text>');
    expect(empty).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* role="img"/);
    expectWellFormed(empty);
  });
});
