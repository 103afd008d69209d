/**
 * A small SVG grouped bar chart (no dependencies), in the style of svg-plot.ts: one group of
 * bars per category, one bar per series, value labels on top, a legend.
 */
import { escapeXml, niceTicks } from './svg-plot.ts';

export interface BarChart {
  title: string;
  yLabel: string;
  categories: readonly string[];
  series: readonly { name: string; values: readonly number[] }[];
  /** Fixed y range; absent: 0 to the largest value. */
  yRange?: readonly [number, number];
  /** Label format of a value (default: percent with one decimal). */
  format?: (v: number) => string;
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];

export function renderBarChart(chart: BarChart): string {
  const W = chart.width ?? 640;
  const H = chart.height ?? 360;
  const m = { left: 60, right: 150, top: 36, bottom: 48 };
  const fmt = chart.format ?? ((v: number) => `${(100 * v).toFixed(1)}%`);
  const values = chart.series.flatMap((s) => s.values).filter(Number.isFinite);
  const [y0, y1] = chart.yRange ?? [Math.min(0, ...values), Math.max(1e-9, ...values)];
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const sy = (y: number) => m.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const groupW = pw / Math.max(1, chart.categories.length);
  const barW = (groupW * 0.8) / Math.max(1, chart.series.length);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.left + pw / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(chart.title)}</text>`,
  ];
  for (const t of niceTicks(y0, y1))
    out.push(
      `<line x1="${m.left}" x2="${m.left + pw}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#eee"/>`,
      `<text x="${m.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${escapeXml(fmt(t))}</text>`,
    );
  chart.categories.forEach((c, ci) => {
    const gx = m.left + ci * groupW + groupW * 0.1;
    chart.series.forEach((s, si) => {
      const v = s.values[ci];
      if (v === undefined || !Number.isFinite(v)) return;
      const x = gx + si * barW;
      const top = sy(Math.max(v, y0));
      const base = sy(Math.max(0, y0));
      out.push(
        `<rect x="${x.toFixed(1)}" y="${Math.min(top, base).toFixed(1)}" width="${(barW * 0.9).toFixed(1)}" height="${Math.abs(base - top).toFixed(1)}" fill="${COLORS[si % COLORS.length]}"/>`,
        `<text x="${(x + barW * 0.45).toFixed(1)}" y="${(Math.min(top, base) - 3).toFixed(1)}" text-anchor="middle" font-size="9">${escapeXml(fmt(v))}</text>`,
      );
    });
    out.push(
      `<text x="${(m.left + (ci + 0.5) * groupW).toFixed(1)}" y="${m.top + ph + 18}" text-anchor="middle">${escapeXml(c)}</text>`,
    );
  });
  out.push(
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    `<text x="14" y="${m.top + ph / 2}" text-anchor="middle" transform="rotate(-90 14 ${m.top + ph / 2})">${escapeXml(chart.yLabel)}</text>`,
  );
  chart.series.forEach((s, i) => {
    const ly = m.top + 10 + i * 18;
    out.push(
      `<rect x="${m.left + pw + 10}" y="${ly - 6}" width="20" height="10" fill="${COLORS[i % COLORS.length]}"/>`,
      `<text x="${m.left + pw + 36}" y="${ly + 4}">${escapeXml(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
