import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { getNiceTickValues } from 'recharts';
import { describe, expect, it } from 'vitest';

import { type PreviewDatum, SeriesPreview } from '@/components/charts/ChartPreview';

// The server-drawn preview of the overview's series (replaced by Recharts after hydration):
// what it draws must match what the chart will draw.

const datum = (allowed: number, blocked: number): PreviewDatum => ({
  label: 'x', lower: allowed, upper: blocked, rate: allowed + blocked ? blocked / (allowed + blocked) : null,
});
const render = (data: PreviewDatum[], kind: 'counts' | 'rate', decimals?: boolean) =>
  renderToStaticMarkup(createElement(SeriesPreview, { data, kind, colors: ['green', 'red'], decimals }));
const ticksOf = (html: string) => [...html.matchAll(/data-testid="preview-tick">([^<]*)</g)].map((m) => m[1]);

describe('series preview', () => {
  it('stacks allowed and blocked for every bucket on the ticks Recharts will choose', () => {
    const data = [datum(120, 30), datum(0, 0), datum(300, 48), datum(7, 1)];
    const html = render(data, 'counts');
    expect(html.match(/<rect /g)).toHaveLength(2 * data.length);
    expect(ticksOf(html)).toEqual(getNiceTickValues([0, 348], 5).map((t) => t.toLocaleString('en-US')));
    // The busiest bucket reaches the top tick's share of the height exactly.
    const top = getNiceTickValues([0, 348], 5).at(-1)!;
    expect(html).toContain(`y="${1000 - (348 / top) * 1000}"`);
  });

  it('breaks the rate line where a bucket has no decisions, and draws a lone point', () => {
    const data = [datum(9, 1), datum(0, 0), datum(8, 2), datum(7, 3), datum(0, 0), datum(5, 5)];
    const html = render(data, 'rate');
    const lines = [...html.matchAll(/<polyline points="([^"]*)"/g)].map((m) => m[1]!.split(' ').length);
    expect(lines).toEqual([2, 2, 2]); // the first and last points alone, widened into strokes
    expect(ticksOf(html)).toEqual(['0%', '25%', '50%', '75%', '100%']);
    expect(html).not.toContain('NaN');
  });

  it('keeps to whole-number ticks when the chart\'s axis does', () => {
    const data = [datum(1, 1), datum(2, 1)];
    expect(ticksOf(render(data, 'counts'))).toEqual(getNiceTickValues([0, 3], 5).map((t) => t.toLocaleString('en-US')));
    expect(ticksOf(render(data, 'counts', false))).toEqual(getNiceTickValues([0, 3], 5, false).map(String));
    expect(ticksOf(render(data, 'counts', false)).every((t) => /^\d+$/.test(t!))).toBe(true);
  });

  it('draws an empty range without NaN', () => {
    expect(render([datum(0, 0), datum(0, 0)], 'counts')).not.toContain('NaN');
    expect(render([], 'rate')).not.toContain('NaN');
  });
});
