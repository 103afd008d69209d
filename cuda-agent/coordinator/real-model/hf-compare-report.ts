/**
 * The results of a real-model comparison (`<runDir>/results.json`, written by hf-compare.ts)
 * and their markdown (`<runDir>/report.md`): held-out greedy accuracy
 * before and after each recipe under the reward judge and the judge beside it, each row's
 * budget and seconds, pass@k when sampled, and the command that made it.
 */

import { renderLineChart } from '../analysis/svg-plot.ts';
import type { Budget, RecipeResult, RecipeStepRow } from '../recipes/budget.ts';
import type { RecipesConfig } from '../recipes/recipe-config.ts';
import type { TrainConfig } from '../training/config.ts';
import type { HeldOutGoldScore, HeldOutGoldSummary } from './hf-gold-prob.ts';
import type { ModelSource } from './model-source.ts';

/** One evaluation, as the results keep it (the answers are in greedy-*.jsonl). */
export interface EvalSummary {
  /** Per split: questions, accuracy under the reward judge and the judge beside it (null: the
   * server gave no count, e.g. test on a server whose eval run does not cover the subset). */
  val: SplitSummary;
  test: SplitSummary;
  /** Mean pass@k on val, when sampled. */
  passAtK?: { samples: number; questions: number; k: number[]; value: number[] };
  seconds: number;
}

interface SplitSummary {
  questions: number;
  accuracy: number | null;
  beside: number | null;
  masked: number;
}

export interface HfCompareResults {
  version: number;
  kind: 'hf-compare';
  command?: string;
  /** What must match for a folder to be continued. */
  plan: Record<string, unknown>;
  setup: { train: TrainConfig; model: ModelSource; recipes: RecipesConfig; besideJudge: string };
  before?: EvalSummary;
  recipes: Record<
    string,
    {
      budget: Budget;
      rounds: RecipeResult['rounds'];
      steps: RecipeStepRow[];
      /** Training alone (the evaluation after has its own seconds). */
      trainSeconds: number;
      after: EvalSummary;
      /** P(gold) on the evaluated val questions (present when the host gave their golds). */
      goldProb?: HeldOutGoldSummary & { skipped: number };
    }
  >;
  complete: boolean;
}

const NAMES: Record<string, string> = {
  grpo: 'GRPO',
  sft: 'SFT on gold answers',
  rft: 'RFT (rejection-sampling FT)',
  dpo: 'DPO (correct vs incorrect pairs)',
};

function pct(x: number | null | undefined, questions: number): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  return `${(100 * x).toFixed(1)}% (${Math.round(x * questions)})`;
}

function cells(e: EvalSummary): string[] {
  return [
    pct(e.val.accuracy, e.val.questions),
    pct(e.val.beside, e.val.questions),
    pct(e.test.accuracy, e.test.questions),
    pct(e.test.beside, e.test.questions),
  ];
}

export function hfCompareMarkdown(r: HfCompareResults): string {
  const cfg = r.setup.train;
  const judge = cfg.env.judge;
  const beside = r.setup.besideJudge;
  const b = r.before;
  const q = (s: 'val' | 'test') => b?.[s].questions ?? 0;
  const lines = [
    `# The recipes on ${cfg.worker.model} over ${cfg.env.splits ?? cfg.env.url}`,
    '',
    ...(r.command ? ['```sh', r.command, '```', ''] : []),
    `Greedy accuracy on the first ${q('val')} val and ${q('test')} test questions (test: the server's eval-role count), judge ${judge} (the reward) and ${beside} on the same answers; every recipe starts from the same model. Budget: questions seen / samples drawn / gradient steps.`,
    '',
    `| method | val ${judge} | val ${beside} | test ${judge} | test ${beside} | budget | kept (RFT answers, DPO pairs) | train s | eval s |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  if (b)
    lines.push(
      `| before training | ${cells(b).join(' | ')} | – | – | – | ${b.seconds.toFixed(0)} |`,
    );
  for (const [name, rec] of Object.entries(r.recipes)) {
    const bu = rec.budget;
    const kept = rec.rounds.length
      ? rec.rounds.map((x) => `${x.kept}/${x.samples}`).join(', ')
      : '–';
    lines.push(
      `| ${NAMES[name] ?? name} | ${cells(rec.after).join(' | ')} | ${bu.questionsSeen} / ${bu.samplesDrawn} / ${bu.gradientSteps} | ${kept} | ${rec.trainSeconds.toFixed(0)} | ${rec.after.seconds.toFixed(0)} |`,
    );
  }
  const sampled = [
    ...(b?.passAtK ? [['before training', b.passAtK] as const] : []),
    ...Object.entries(r.recipes).flatMap(([n, rec]) =>
      rec.after.passAtK ? [[NAMES[n] ?? n, rec.after.passAtK] as const] : [],
    ),
  ];
  if (sampled.length) {
    const p = sampled[0]![1];
    lines.push(
      '',
      `pass@k on the first ${p.questions} val questions from n = ${p.samples} samples (unbiased estimator):`,
      '',
      `| method | ${p.k.map((k) => `k = ${k}`).join(' | ')} |`,
      `|---|${p.k.map(() => '---:').join('|')}|`,
      ...sampled.map(
        ([n, x]) => `| ${n} | ${x.value.map((v) => `${(100 * v).toFixed(1)}%`).join(' | ')} |`,
      ),
    );
  }
  const gold = Object.entries(r.recipes).flatMap(([n, rec]) =>
    rec.goldProb ? [[NAMES[n] ?? n, rec.goldProb] as const] : [],
  );
  if (gold.length) {
    const e = (x: number) => x.toExponential(2);
    lines.push(
      '',
      "P(gold) on the val questions above: the probability of answering exactly a payable gold alias and stopping (best alias), under the starting model (before: the worker's reference) and the trained policy (after); per question in `gold-prob-after-<recipe>.jsonl`:",
      '',
      '| method | questions | aliases | mean before → after | median before → after | raised / lowered |',
      '|---|---:|---:|---:|---:|---:|',
      ...gold.map(
        ([n, g]) =>
          `| ${n} | ${g.questions} | ${g.aliases} | ${e(g.meanBefore)} → ${e(g.meanAfter)} | ${e(g.medianBefore)} → ${e(g.medianAfter)} | ${g.raised} / ${g.lowered} |`,
      ),
      '',
      `![P(gold) before vs after, per val question](${GOLD_PROB_SVG})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The P(gold) scatter beside report.md. */
export const GOLD_PROB_SVG = 'gold-prob.svg';
/** Probabilities below this are drawn at it (log axes; a bare alias can be very unlikely). */
const P_FLOOR = 1e-12;

/**
 * P(gold) after against before, one point per val question and one series per recipe, on
 * log10 axes with the no-change diagonal: points above it are questions whose gold gained mass.
 */
export function goldProbSvg(
  byRecipe: ReadonlyArray<readonly [string, readonly HeldOutGoldScore[]]>,
): string {
  const lg = (p: number) => Math.log10(Math.max(P_FLOOR, p));
  const all = byRecipe.flatMap(([, s]) => s.flatMap((q) => [lg(q.before), lg(q.after)]));
  const lo = Math.floor(Math.min(0, ...all));
  return renderLineChart({
    title: `P(gold) on val questions, before vs after each recipe (log10, floor ${P_FLOOR})`,
    xLabel: 'log10 P(gold) before',
    yLabel: 'log10 P(gold) after',
    yRange: [lo, 0],
    series: [
      ...byRecipe.map(([name, scores]) => ({
        name: NAMES[name] ?? name,
        style: 'points' as const,
        points: scores.map((q) => [lg(q.before), lg(q.after)] as const),
      })),
      {
        name: 'no change',
        dashed: true,
        points: [
          [lo, lo],
          [0, 0],
        ],
      },
    ],
  });
}
