/**
 * A small SVG line chart (no dependencies): axes with rounded ticks, one polyline per series,
 * markers for short series, a legend. Enough for reward and accuracy per step in a run report.
 */

export interface Series {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  /** `points`: markers only (a scatter plot); default `line`. */
  style?: 'line' | 'points';
  /** Dashed line (e.g. a reference curve). */
  dashed?: boolean;
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Fixed y range (e.g. [0, 1] for accuracies); absent: fitted to the data. */
  yRange?: readonly [number, number];
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** About `count` round tick values covering [lo, hi] (1, 2, 5 × 10^k steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.01)
    ? v.toExponential(1)
    : String(Number(v.toPrecision(4)));
}

/** Render the chart as a standalone SVG document. */
export function renderLineChart(chart: LineChart): string {
  const W = chart.width ?? 640;
  const H = chart.height ?? 360;
  const m = { left: 60, right: 150, top: 36, bottom: 48 };
  const pts = chart.series
    .flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  let [x0, x1] = pts.length
    ? [Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0]))]
    : [0, 1];
  let [y0, y1] =
    chart.yRange ??
    (pts.length ? [Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1]))] : [0, 1]);
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`, // the chart's accessible name
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.left + pw / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(chart.title)}</text>`,
  ];
  for (const t of niceTicks(y0, y1)) {
    out.push(
      `<line x1="${m.left}" x2="${m.left + pw}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#eee"/>`,
      `<text x="${m.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`,
    );
  }
  for (const t of niceTicks(x0, x1)) {
    out.push(
      `<line x1="${sx(t).toFixed(1)}" x2="${sx(t).toFixed(1)}" y1="${m.top + ph}" y2="${m.top + ph + 4}" stroke="#333"/>`,
      `<text x="${sx(t).toFixed(1)}" y="${m.top + ph + 18}" text-anchor="middle">${fmt(t)}</text>`,
    );
  }
  out.push(
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    `<text x="${m.left + pw / 2}" y="${H - 8}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text x="14" y="${m.top + ph / 2}" text-anchor="middle" transform="rotate(-90 14 ${m.top + ph / 2})">${escapeXml(chart.yLabel)}</text>`,
  );
  chart.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const finite = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (finite.length > 0) {
      const d = finite.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
      const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
      if (s.style !== 'points')
        out.push(
          `<polyline points="${d}" fill="none" stroke="${color}" stroke-width="1.8"${dash}/>`,
        );
      if (finite.length <= 40 || s.style === 'points') {
        for (const [x, y] of finite)
          out.push(
            `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${color}"/>`,
          );
      }
    }
    const ly = m.top + 10 + i * 18;
    out.push(
      `<line x1="${m.left + pw + 10}" x2="${m.left + pw + 30}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${m.left + pw + 36}" y="${ly + 4}">${escapeXml(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
