/**
 * The run report in `runs/<id>/`: `report.md` (greedy accuracy before/after per split with the
 * relative gain, pass@k before/after with the chance level beside it, accessibility buckets,
 * probability of the gold answer), `report.json` (the same numbers), and two SVG plots drawn
 * here: `reward.svg` (training reward per step) and `accuracy.svg` (greedy accuracy per
 * evaluation step, per split).
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../../lib/files.ts';
import type { EvalMetrics, StepMetrics } from '../training/metrics.ts';
import type { BucketRow } from './access-buckets.ts';
import { renderLineChart } from './svg-plot.ts';

export interface GreedyRow {
  /** Split or group name (train, val, test, qa). */
  split: string;
  /** What the people of this split are, in words. */
  who: string;
  questions: number;
  before: number;
  after: number;
  /** Share of answers equal to the popular value, before and after (FactWorld). */
  popularBefore?: number;
  popularAfter?: number;
}

export interface PassAtKRow {
  split: string;
  samples: number;
  questions: number;
  k: number;
  before: number;
  after: number;
  /** pass@k of a guesser of the right type who knows no fact. */
  chance: number;
}

export interface GoldProbRow {
  /** Split or group of people (train, val, test, qa). */
  split: string;
  /** Accessibility bucket before RL, for the rows split by bucket. */
  bucket?: string;
  questions: number;
  /** Mean probability of the gold answer (its tokens and the stop token) after the prompt. */
  before: number;
  after: number;
  /** Median of the same per-question probabilities. */
  medianBefore: number;
  medianAfter: number;
  /** Mean probability of the attribute's popular value (FactWorld's corrupted-QA habit). */
  popularBefore?: number;
  popularAfter?: number;
}

/** A further table of the report (answer style, a second judge, time per step...). */
export interface ReportTable {
  title: string;
  note?: string;
  header: string[];
  rows: string[][];
}

export interface RunReport {
  runId: string;
  title: string;
  /** The shell line that made the run (rendered as a code block so it can be run again). */
  command?: string;
  /** Free-form lines under the title (world, model, schedule). */
  setup: string[];
  greedy: GreedyRow[];
  passAtK: PassAtKRow[];
  buckets?: { split: string; samples: number; rows: BucketRow[] };
  goldProb: GoldProbRow[];
  /** What the gold-probability rows measure (temperature, source of the gold answers). */
  goldProbNote?: string;
  /** Further tables, rendered after the gold-probability section. */
  tables?: ReportTable[];
  steps: readonly StepMetrics[];
  evals: readonly EvalMetrics[];
  /** Wall-clock seconds per phase (pretrain, eval before, train, eval after...). */
  timings: Record<string, number>;
  notes: string[];
}

const pct = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)}%`;

/** A probability as a percentage, with two significant digits below 10% (gold probabilities are often small). */
export function probPct(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  const p = 100 * x;
  if (p >= 10 || p === 0) return `${p.toFixed(1)}%`;
  return p >= 0.01 ? `${p.toPrecision(2)}%` : `${p.toExponential(1)}%`;
}

/** Relative gain (after − before) / before, as text; "n/a" when before is 0. */
export function relativeGain(before: number, after: number): string {
  if (before === 0) return after === 0 ? '0%' : 'n/a (from 0)';
  const g = (after - before) / before;
  return `${g >= 0 ? '+' : ''}${(100 * g).toFixed(1)}%`;
}

export function reportMarkdown(r: RunReport): string {
  const out: string[] = [
    `# ${r.title}`,
    '',
    `Run \`${r.runId}\`.`,
    '',
    ...(r.command ? ['Command:', '', '```sh', r.command, '```', ''] : []),
    ...r.setup.map((s) => `- ${s}`),
    '',
  ];
  out.push('## Greedy accuracy before and after RL', '');
  out.push(
    '| split | people | questions | before | after | abs. change | relative gain | popular-value answers before → after |',
  );
  out.push('|---|---|---:|---:|---:|---:|---:|---|');
  for (const g of r.greedy) {
    const abs = `${g.after - g.before >= 0 ? '+' : ''}${(100 * (g.after - g.before)).toFixed(1)} pts`;
    const pop =
      g.popularBefore !== undefined ? `${pct(g.popularBefore)} → ${pct(g.popularAfter)}` : '–';
    out.push(
      `| ${g.split} | ${g.who} | ${g.questions} | ${pct(g.before)} | ${pct(g.after)} | ${abs} | ${relativeGain(g.before, g.after)} | ${pop} |`,
    );
  }
  out.push('');
  if (r.passAtK.length) {
    out.push('## pass@k before and after RL', '');
    out.push(
      'Unbiased estimator from n samples per question at the training temperature. *Chance* is a guesser of the right type that knows no fact.',
      '',
    );
    out.push('| split | n | questions | k | before | after | chance |');
    out.push('|---|---:|---:|---:|---:|---:|---:|');
    for (const p of r.passAtK)
      out.push(
        `| ${p.split} | ${p.samples} | ${p.questions} | ${p.k} | ${pct(p.before)} | ${pct(p.after)} | ${pct(p.chance)} |`,
      );
    out.push('');
  }
  if (r.buckets) {
    out.push(
      `## Where the gain comes from (${r.buckets.split}, accessibility before RL from ${r.buckets.samples} samples)`,
      '',
    );
    out.push(
      '| bucket | questions | share | greedy before | greedy after | net questions gained | share of gain |',
    );
    out.push('|---|---:|---:|---:|---:|---:|---:|');
    for (const b of r.buckets.rows)
      out.push(
        `| ${b.bucket} | ${b.questions} | ${pct(b.share)} | ${pct(b.greedyBefore)} | ${pct(b.greedyAfter)} | ${b.netGain} | ${pct(b.shareOfGain)} |`,
      );
    out.push('');
  }
  if (r.goldProb.length) {
    out.push('## Probability of the gold answer before and after RL', '');
    if (r.goldProbNote) out.push(r.goldProbNote, '');
    out.push(
      '| split | bucket | questions | mean before | mean after | median before | median after | popular value (mean) before → after |',
      '|---|---|---:|---:|---:|---:|---:|---|',
    );
    for (const g of r.goldProb) {
      const pop =
        g.popularBefore !== undefined
          ? `${probPct(g.popularBefore)} → ${probPct(g.popularAfter)}`
          : '–';
      out.push(
        `| ${g.split} | ${g.bucket ?? 'all'} | ${g.questions} | ${probPct(g.before)} | ${probPct(g.after)} | ${probPct(g.medianBefore)} | ${probPct(g.medianAfter)} | ${pop} |`,
      );
    }
    out.push('');
  }
  for (const t of r.tables ?? []) {
    out.push(`## ${t.title}`, '');
    if (t.note) out.push(t.note, '');
    out.push(`| ${t.header.join(' | ')} |`, `|${t.header.map(() => '---').join('|')}|`);
    for (const row of t.rows) out.push(`| ${row.join(' | ')} |`);
    out.push('');
  }
  out.push(
    '## Training',
    '',
    '![training reward](reward.svg)',
    '',
    '![greedy accuracy](accuracy.svg)',
    '',
  );
  const t = Object.entries(r.timings);
  if (t.length) {
    out.push(
      '| phase | seconds |',
      '|---|---:|',
      ...t.map(([k, v]) => `| ${k} | ${v.toFixed(1)} |`),
      '',
    );
  }
  if (r.notes.length) out.push('## Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}

/** Moving average over the last `w` points (for the noisy per-step reward). */
export function movingAverage(values: readonly number[], w: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= w) sum -= values[i - w]!;
    out.push(sum / Math.min(i + 1, w));
  }
  return out;
}

/** Write report.md, report.json, reward.svg and accuracy.svg into `runDir`. */
export async function writeRunReport(runDir: string, r: RunReport): Promise<string> {
  const rewards = r.steps.map((s) => s.rewardMean);
  const avg = movingAverage(rewards, 10);
  await writeFileAtomic(
    join(runDir, 'reward.svg'),
    renderLineChart({
      title: 'Training reward (mean over scored samples)',
      xLabel: 'step',
      yLabel: 'reward',
      yRange: [0, 1],
      series: [
        { name: 'per step', points: r.steps.map((s, i) => [s.step, rewards[i]!] as const) },
        { name: 'moving avg (10)', points: r.steps.map((s, i) => [s.step, avg[i]!] as const) },
      ],
    }),
  );
  const splits = [...new Set(r.evals.map((e) => e.split))];
  await writeFileAtomic(
    join(runDir, 'accuracy.svg'),
    renderLineChart({
      title: 'Greedy accuracy',
      xLabel: 'step',
      yLabel: 'accuracy',
      yRange: [0, 1],
      series: splits.map((s) => ({
        name: s,
        points: r.evals.filter((e) => e.split === s).map((e) => [e.step, e.accuracy] as const),
      })),
    }),
  );
  const { steps: _s, evals: _e, ...numbers } = r;
  await writeFileAtomic(join(runDir, 'report.json'), `${JSON.stringify(numbers, null, 2)}\n`);
  const path = join(runDir, 'report.md');
  await writeFileAtomic(path, reportMarkdown(r));
  return path;
}
