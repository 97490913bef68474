import type { SampleInterval } from '../data/samples.js';
import { type Html, html } from './html.js';

/** Category colours; unknown categories cycle through the last ones. */
const COLOURS = ['#2f6fed', '#c0362c', '#b7791f', '#1f8a4c', '#7a5af8', '#0e9384', '#667085'];
const CATEGORY_COLOUR: Record<string, string> = {
  network: '#c0362c',
  timeout: '#b7791f',
  auth: '#7a5af8',
  blocked: '#dd2590',
  rate_limit: '#0e9384',
  server: '#f04438',
  unknown: '#667085',
};

interface Series {
  name: string;
  values: readonly number[];
  colour?: string;
  /** The legend's figure: the window's total (per-interval counts) or the latest (gauges). */
  legend?: 'total' | 'latest';
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** `points` attribute of a polyline scaled into the box (y grows downwards). */
function polylinePoints(values: readonly number[], w: number, h: number, max: number): string {
  const step = values.length > 1 ? w / (values.length - 1) : 0;
  return values
    .map((v, i) => `${(i * step).toFixed(1)},${(h - (max === 0 ? 0 : (v / max) * h)).toFixed(1)}`)
    .join(' ');
}

/** A small line chart, drawn on the server: one polyline per series, one point per interval. */
function lineChart(title: string, series: readonly Series[], times: readonly number[]): Html {
  const w = 360;
  const h = 90;
  const max = Math.max(0, ...series.flatMap((s) => s.values));
  const first = times[0];
  const last = times.at(-1);
  const clock = (ms: number | undefined) =>
    ms === undefined ? '' : new Date(ms).toISOString().slice(11, 19);
  const lines = series.map(
    (s, i) =>
      html`<polyline class="series" data-series="${s.name}" fill="none" stroke="${s.colour ?? COLOURS[i % COLOURS.length]}" stroke-width="1.6" points="${polylinePoints(s.values, w, h, max)}"><title>${s.name}</title></polyline>`,
  );
  const legend =
    series.length > 1
      ? html`<div class="legend">${series.map(
          (s, i) =>
            html`<span><svg width="10" height="3" aria-hidden="true"><rect width="10" height="3" fill="${s.colour ?? COLOURS[i % COLOURS.length]}"/></svg>${s.name} ${fmt(s.legend === 'latest' ? (s.values.at(-1) ?? 0) : s.values.reduce((a, b) => a + b, 0))}</span>`,
        )}</div>`
      : html``;
  return html`<figure class="chart"><figcaption>${title} <small>max ${fmt(max)}</small></figcaption>
<svg viewBox="-2 -4 ${w + 4} ${h + 8}" preserveAspectRatio="none" role="img" aria-label="${title}">
<line x1="0" y1="${h}" x2="${w}" y2="${h}" stroke="#e4e7ec"/>${lines}</svg>
<div class="axis"><span>${clock(first)}</span><span>${clock(last)} UTC</span></div>${legend}</figure>`;
}

/** The pool page's charts, or a note saying where samples come from. */
export function poolCharts(intervals: readonly SampleInterval[]): Html {
  if (intervals.length < 2)
    return html`<p class="empty" id="charts-empty">No samples yet: the worker (<code>leasehold worker</code>) records one per pool every 5 s; charts appear after two.</p>`;
  const times = intervals.map((s) => s.at);
  const categories = [...new Set(intervals.flatMap((s) => Object.keys(s.failures)))].sort();
  const failures: Series[] = categories.map((c) => ({
    name: c,
    values: intervals.map((s) => s.failures[c] ?? 0),
    colour: CATEGORY_COLOUR[c],
  }));
  return html`<section class="charts">
${lineChart('Acquires per interval', [{ name: 'acquires', values: intervals.map((s) => s.acquires) }], times)}
${lineChart('Failures by category', failures.length > 0 ? failures : [{ name: 'none', values: intervals.map(() => 0) }], times)}
${lineChart(
  'Available capacity',
  [
    {
      name: 'available',
      values: intervals.map((s) => s.available),
      colour: '#1f8a4c',
      legend: 'latest',
    },
    {
      name: 'live leases',
      values: intervals.map((s) => s.leases),
      colour: '#2f6fed',
      legend: 'latest',
    },
  ],
  times,
)}
</section>`;
}

/** A tiny acquires-per-interval line for the overview table. */
export function sparkline(values: readonly number[]): Html {
  if (values.length < 2) return html`<span class="empty">—</span>`;
  const w = 120;
  const h = 22;
  const max = Math.max(0, ...values);
  return html`<svg class="spark" width="${w}" height="${h + 4}" viewBox="-1 -2 ${w + 2} ${h + 4}" role="img" aria-label="acquires per interval"><polyline fill="none" stroke="#2f6fed" stroke-width="1.4" points="${polylinePoints(values, w, h, max)}"/></svg>`;
}
