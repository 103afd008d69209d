/**
 * What `factrecall eval` prints and writes: a text table per run, and a pass@k / maj@k plot
 * (SVG; PNG beside it when `rsvg-convert` is on the PATH).
 */
import { execFileSync } from 'node:child_process';
import { writeFileAtomic } from '../../lib/files.ts';
import type { EvalReport } from './run-eval.ts';

const pct = (v: number | null | undefined) =>
  v === null || v === undefined || Number.isNaN(v) ? 'n/a' : `${(100 * v).toFixed(1)}%`;

/** A Markdown table (one row per report) of the direct metrics. */
export function formatTable(reports: readonly EvalReport[]): string {
  const head =
    '| dataset | split | baseline | judge | questions | samples | accuracy | not attempted | correct given attempted | F-score | judge failed | generation failed |';
  const sep = `|${'---|'.repeat(12)}`;
  const rows = reports.map((r) => {
    const m = r.metrics;
    return `| ${r.dataset} | ${r.split} | ${r.baseline} | ${r.judgeId} | ${r.questions} | ${r.samples} | ${pct(m.accuracy)} | ${pct(m.notAttemptedRate)} | ${pct(m.correctGivenAttempted)} | ${pct(m.fScore)} | ${m.judgeFailed} | ${m.generationFailed} |`;
  });
  return [head, sep, ...rows].join('\n');
}

/** pass@k and maj@k per k (sampled runs only). */
export function formatAtK(r: EvalReport): string {
  if (r.passAtK.length === 0) return '';
  const lines = ['| k | pass@k | maj@k | questions |', '|---|---|---|---|'];
  r.passAtK.forEach((p, i) => {
    lines.push(`| ${p.k} | ${pct(p.value)} | ${pct(r.majAtK[i]?.value)} | ${p.questions} |`);
  });
  return lines.join('\n');
}

export function formatReport(r: EvalReport): string {
  const parts = [
    `${r.dataset} ${r.split}: ${r.model}, ${r.baseline}, judge ${r.judgeId}, env fingerprint ${r.fingerprint}`,
    formatTable([r]),
  ];
  const atk = formatAtK(r);
  if (atk) parts.push(atk);
  if (r.serverCounts) {
    parts.push(
      `test split (eval role): only the server's aggregate is known: ${r.serverCounts.correct}/${r.serverCounts.scored} correct${r.serverCounts.evalRunId ? `, eval run ${r.serverCounts.evalRunId}` : ''}`,
    );
  }
  parts.push(
    `${r.questions} questions in ${r.seconds.toFixed(1)} s (${r.questionsPerSecond.toFixed(2)} questions/s; ${r.generatedNow} answers generated now, the rest resumed). Episodes: ${r.episodesPath}`,
  );
  return parts.join('\n\n');
}

/** An SVG line chart of pass@k and maj@k against k (log2 axis). */
export function atKSvg(r: EvalReport): string {
  const W = 560;
  const H = 360;
  const L = 60;
  const R = 20;
  const T = 40;
  const B = 50;
  const ks = r.passAtK.map((p) => p.k);
  const maxLog = Math.max(1, Math.log2(Math.max(...ks, 1)));
  const x = (k: number) => L + ((W - L - R) * Math.log2(k)) / maxLog;
  const y = (v: number) => T + (H - T - B) * (1 - v);
  const line = (
    pts: Array<{ k: number; value: number | null }>,
    color: string,
    label: string,
    row: number,
  ) => {
    const ok = pts.filter((p) => p.value !== null) as Array<{ k: number; value: number }>;
    const d = ok
      .map((p, i) => `${i ? 'L' : 'M'}${x(p.k).toFixed(1)},${y(p.value).toFixed(1)}`)
      .join(' ');
    const dots = ok
      .map(
        (p) =>
          `<circle cx="${x(p.k).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="3" fill="${color}"/>`,
      )
      .join('');
    return `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>${dots}<text x="${W - R - 110}" y="${T + 16 * row}" fill="${color}" font-size="12">${label}</text>`;
  };
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (v) =>
        `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${L - 8}" y="${y(v) + 4}" text-anchor="end" font-size="11">${(v * 100).toFixed(0)}%</text>`,
    )
    .join('');
  const ticks = ks
    .map(
      (k) => `<text x="${x(k)}" y="${H - B + 16}" text-anchor="middle" font-size="11">${k}</text>`,
    )
    .join('');
  const esc = (s: string) =>
    s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
  const title = `${r.model} on ${r.dataset} ${r.split} (${r.judgeId}), ${r.passAtK[0]?.questions ?? 0} questions, ${r.samples} samples`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<title>${esc(`pass@k and maj@k: ${title}`)}</title>
<rect width="${W}" height="${H}" fill="white"/>
<text x="${L}" y="22" font-size="13">${esc(title)}</text>
${grid}${ticks}
<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle" font-size="12">k (samples)</text>
${line(r.passAtK, '#1f77b4', 'pass@k (best-of-k)', 1)}
${line(r.majAtK, '#d62728', 'maj@k', 2)}
</svg>
`;
}

/** Write `<base>.json`, `<base>.md`, and for sampled runs `<base>.svg` (+ `.png` when a converter exists). */
export async function writeReport(r: EvalReport, base: string): Promise<string[]> {
  const files = [`${base}.json`, `${base}.md`];
  await writeFileAtomic(files[0]!, `${JSON.stringify(r, null, 2)}\n`);
  await writeFileAtomic(files[1]!, `${formatReport(r)}\n`);
  if (r.passAtK.length > 0) {
    const svg = `${base}.svg`;
    await writeFileAtomic(svg, atKSvg(r));
    files.push(svg);
    try {
      execFileSync('rsvg-convert', ['-o', `${base}.png`, svg], { stdio: 'ignore' });
      files.push(`${base}.png`);
    } catch {
      // no converter on this machine: the SVG is the plot
    }
  }
  return files;
}
