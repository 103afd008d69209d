/**
 * Markdown sections of the comparison report (`factrecall report`), each over one or more runs
 * (world seeds; mean and sample standard deviation across them). `factrecall analyze` prints
 * one section for one run. Numbers come from comparison.ts.
 */
import type { CompareResults } from '../organism/compare-run.ts';
import type { Budget } from '../recipes/budget.ts';
import { ACCESS_BUCKETS } from './access-buckets.ts';
import {
  afterOf,
  attribution,
  beforeOf,
  bucketGains,
  goldRows,
  passAtKCurve,
  popularSideEffect,
  transitions,
} from './comparison.ts';
import { probPct, relativeGain } from './report.ts';

export const RECIPE_LABEL: Record<string, string> = {
  grpo: 'GRPO (RL)',
  sft: 'SFT on gold answers',
  rft: 'RFT (rejection-sampling FT)',
  dpo: 'DPO (correct vs incorrect pairs)',
};

export function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const v = xs.filter(Number.isFinite);
  if (v.length === 0) return { mean: Number.NaN, sd: Number.NaN };
  const mean = v.reduce((a, x) => a + x, 0) / v.length;
  const sd =
    v.length > 1
      ? Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (v.length - 1))
      : Number.NaN;
  return { mean, sd };
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');
export const pm = (xs: readonly number[]) => {
  const { mean, sd } = meanSd(xs);
  return Number.isFinite(sd) ? `${pct(mean)} ± ${(100 * sd).toFixed(1)}` : pct(mean);
};
const table = (header: string[], rows: string[][]) => [
  `| ${header.join(' | ')} |`,
  `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
];
const budgetText = (b: Budget[]) =>
  b.length
    ? `${Math.round(meanSd(b.map((x) => x.questionsSeen)).mean)} / ${Math.round(meanSd(b.map((x) => x.samplesDrawn)).mean)} / ${Math.round(meanSd(b.map((x) => x.gradientSteps)).mean)}`
    : '–';

/** The paper-shaped main table: held-out greedy accuracy per method, mean ± sd over seeds. */
export function mainTable(runs: readonly CompareResults[], recipes: readonly string[]): string[] {
  const rows: string[][] = [];
  const beforeVal = runs.map((r) => beforeOf(r).greedy.val.accuracy);
  const beforeTest = runs.map((r) => beforeOf(r).greedy.test.accuracy);
  const gain = (xs: number[]) => relativeGain(meanSd(beforeTest).mean, meanSd(xs).mean);
  rows.push([
    'before training (greedy)',
    String(runs.length),
    pm(beforeVal),
    pm(beforeTest),
    '–',
    '–',
  ]);
  for (const name of recipes.filter((n) => n !== 'grpo')) {
    const ok = runs.filter((r) => r.recipes[name]);
    const test = ok.map((r) => afterOf(r, name).greedy.test.accuracy);
    rows.push([
      RECIPE_LABEL[name] ?? name,
      String(ok.length),
      pm(ok.map((r) => afterOf(r, name).greedy.val.accuracy)),
      pm(test),
      gain(test),
      budgetText(ok.map((r) => r.recipes[name]!.budget)),
    ]);
  }
  const maj = runs.filter((r) => r.before?.majority);
  if (maj.length) {
    const k = maj[0]!.before!.majority!['val']!.k;
    const test = maj.map((r) => r.before!.majority!['test']!.accuracy);
    rows.push([
      `maj@${k} (test-time, no training)`,
      String(maj.length),
      pm(maj.map((r) => r.before!.majority!['val']!.accuracy)),
      pm(test),
      gain(test),
      `0 / ${k} per question at test time / 0`,
    ]);
  }
  rows.push(['CoT (test-time)', '0', 'not run', 'not run', '–', '–']);
  if (recipes.includes('grpo')) {
    const ok = runs.filter((r) => r.recipes['grpo']);
    const test = ok.map((r) => afterOf(r, 'grpo').greedy.test.accuracy);
    rows.push([
      RECIPE_LABEL['grpo']!,
      String(ok.length),
      pm(ok.map((r) => afterOf(r, 'grpo').greedy.val.accuracy)),
      pm(test),
      gain(test),
      budgetText(ok.map((r) => r.recipes['grpo']!.budget)),
    ]);
  }
  return table(
    [
      'method',
      'seeds',
      'val (held-out people)',
      'test (held-out people)',
      'relative gain on test',
      'budget: questions seen / samples drawn / gradient steps',
    ],
    rows,
  );
}

/** pass@k on val before and after each recipe at powers of two, mean over seeds. */
export function passAtKTable(
  runs: readonly CompareResults[],
  recipes: readonly string[],
): string[] {
  const n = beforeOf(runs[0]!).sampled['val']!.samples;
  const ks: number[] = [];
  for (let k = 1; k <= n; k *= 2) ks.push(k);
  const curve = (snap: (r: CompareResults) => ReturnType<typeof beforeOf>) =>
    ks.map((_, i) => pm(runs.map((r) => passAtKCurve(snap(r), 'val', ks)[i]!.value)));
  const rows = [
    ['before', ...curve(beforeOf)],
    ...recipes
      .filter((name) => runs.every((r) => r.recipes[name]))
      .map((name) => [RECIPE_LABEL[name] ?? name, ...curve((r) => afterOf(r, name))]),
  ];
  return table(['model', ...ks.map((k) => `pass@${k}`)], rows);
}

/** The smallest k whose pass@k before reaches `recipe`'s pass@1 after, per seed. */
export function matchingK(r: CompareResults, recipe: string): number | null {
  const n = beforeOf(r).sampled['val']!.samples;
  const ks = Array.from({ length: n }, (_, i) => i + 1);
  const after1 = passAtKCurve(afterOf(r, recipe), 'val', [1])[0]!.value;
  const before = passAtKCurve(beforeOf(r), 'val', ks);
  return before.find((p) => p.value >= after1)?.k ?? null;
}

/** Buckets of the train questions (share of train) and each recipe's net gain inside them. */
export function bucketTable(runs: readonly CompareResults[], recipes: readonly string[]): string[] {
  const ok = recipes.filter((name) => runs.every((r) => r.recipes[name]));
  const per = runs.map((r) => Object.fromEntries(ok.map((name) => [name, bucketGains(r, name)])));
  const first = ok[0];
  const rows = ACCESS_BUCKETS.map((b, i) => [
    b,
    pm(per.map((p) => (first ? p[first]![i]!.share : Number.NaN))),
    ...ok.map((name) => pm(per.map((p) => p[name]![i]!.shareOfGain))),
  ]);
  return table(
    ['bucket (before training)', 'share of train', ...ok.map((n) => `share of ${n}'s train gain`)],
    rows,
  );
}

/** GRPO on each bucket alone: held-out gain and its share (the seeds where it ran). */
export function attributionTable(runs: readonly CompareResults[]): string[] {
  const ok = runs.filter((r) => r.attribution && r.recipes['grpo']);
  if (!ok.length) return ['Attribution was not run.', ''];
  const per = ok.map(attribution);
  const rows = ACCESS_BUCKETS.map((b) => {
    const rs = per.map((p) => p.rows.find((x) => x.bucket === b));
    return [
      b,
      rs.map((x) => x?.questions ?? 0).join(', '),
      pm(rs.map((x) => x?.gain ?? Number.NaN)),
      pm(rs.map((x) => x?.ofAll ?? Number.NaN)),
      pm(rs.map((x) => x?.share ?? Number.NaN)),
    ];
  });
  rows.push([
    'all train questions (same schedule)',
    ok.map((r) => r.questions.filter((q) => q.split === 'train').length).join(', '),
    pm(per.map((p) => p.allGain)),
    '100%',
    '–',
  ]);
  rows.push([
    'sum of the buckets',
    '',
    pm(per.map((p) => p.sumOfGains)),
    pm(per.map((p) => p.additivity)),
    '100%',
  ]);
  return [
    `Seeds ${ok.map((r) => r.worldSeed).join(', ')}; ${[...new Set(ok.flatMap((r) => r.attribution!.runs.map((x) => x.steps)))].join('/')} GRPO steps per run. Held-out = val and test together (question-weighted).`,
    ...ok
      .filter((r) => r.attribution!.complete === false)
      .map(
        (r) =>
          `**Unfinished on seed ${r.worldSeed}**: only ${r.attribution!.runs.map((x) => x.bucket).join(', ')} ran; the shares are over those buckets only.`,
      ),
    '',
    ...table(
      [
        'trained on',
        'questions (per seed)',
        'held-out gain (pts)',
        'of the all-questions gain',
        'share (sums to 1)',
      ],
      rows,
    ),
  ];
}

/** P(gold) before → after per group for each recipe, mean over seeds. */
export function goldTable(runs: readonly CompareResults[], recipes: readonly string[]): string[] {
  const rows: string[][] = [];
  for (const name of recipes.filter((n) => runs.every((r) => r.recipes[n]))) {
    const per = runs.map((r) => goldRows(r, name));
    for (const [i, row] of per[0]!.entries()) {
      if (row.bucket !== undefined && name !== 'grpo') continue;
      const at = (f: (x: (typeof per)[0][0]) => number) =>
        probPct(meanSd(per.map((p) => (p[i] ? f(p[i]!) : Number.NaN))).mean);
      rows.push([
        name,
        row.split,
        row.bucket ?? 'all',
        String(row.questions),
        `${at((x) => x.before)} → ${at((x) => x.after)}`,
        `${at((x) => x.medianBefore)} → ${at((x) => x.medianAfter)}`,
        `${at((x) => x.popularBefore ?? Number.NaN)} → ${at((x) => x.popularAfter ?? Number.NaN)}`,
      ]);
    }
  }
  return table(
    [
      'recipe',
      'people',
      'bucket',
      'questions (seed 1st)',
      'mean P(gold)',
      'median P(gold)',
      'mean P(popular value)',
    ],
    rows,
  );
}

/** Greedy answers before → after, summed over seeds, on val and train. */
export function transitionTable(
  runs: readonly CompareResults[],
  recipes: readonly string[],
): string[] {
  const rows: string[][] = [];
  for (const name of recipes.filter((n) => runs.every((r) => r.recipes[n])))
    for (const split of ['val', 'train'] as const) {
      const ts = runs.map((r) => transitions(beforeOf(r), afterOf(r, name), split));
      const sum = (k: keyof Omit<(typeof ts)[0], 'split'>) =>
        String(ts.reduce((a, t) => a + (t[k] as number), 0));
      rows.push([
        name,
        split,
        sum('questions'),
        sum('wrongToRight'),
        sum('rightToWrong'),
        sum('rightToRight'),
        sum('wrongSame'),
        sum('wrongChanged'),
        sum('unscored'),
      ]);
    }
  return table(
    [
      'recipe',
      'split',
      'questions',
      'wrong → right',
      'right → wrong',
      'right → right',
      'wrong → same wrong',
      'wrong → other wrong',
      'unscored',
    ],
    rows,
  );
}

/** Held-out questions whose gold is the popular value vs the others, per recipe. */
export function sideEffectTable(
  runs: readonly CompareResults[],
  recipes: readonly string[],
): string[] {
  const rows: string[][] = [];
  for (const name of recipes.filter((n) => runs.every((r) => r.recipes[n]))) {
    const per = runs.map((r) => popularSideEffect(r, name));
    for (const i of [0, 1]) {
      const at = (f: (x: (typeof per)[0][0]) => number) => meanSd(per.map((p) => f(p[i]!))).mean;
      rows.push([
        name,
        i === 0 ? 'gold = popular value' : 'gold ≠ popular value',
        per.map((p) => p[i]!.questions).join(', '),
        `${probPct(at((x) => x.goldBefore))} → ${probPct(at((x) => x.goldAfter))}`,
        `${pm(per.map((p) => p[i]!.valGreedyBefore))} → ${pm(per.map((p) => p[i]!.valGreedyAfter))}`,
      ]);
    }
  }
  return table(
    [
      'recipe',
      'held-out questions',
      'questions (per seed)',
      'mean P(gold) before → after',
      'val greedy before → after',
    ],
    rows,
  );
}
