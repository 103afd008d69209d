/**
 * The comparison report (`factrecall report --runs ...`): one markdown file over the world
 * seeds' results.json, with its SVG plots beside it (`<name>-accuracy.svg`, `-passk.svg`,
 * `-buckets.svg`, `-pgold.svg`): held-out accuracy per method, pass@k curves before and after
 * each recipe, the accessibility buckets with where the gain sits, and P(gold) before vs after.
 */
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../../../lib/files.ts';
import type { CompareResults } from '../organism/compare-run.ts';
import { ACCESS_BUCKETS } from './access-buckets.ts';
import {
  afterOf,
  allKs,
  attribution,
  beforeOf,
  bucketGains,
  goldPairs,
  passAtKCurve,
} from './comparison.ts';
import {
  attributionTable,
  bucketTable,
  goldTable,
  mainTable,
  matchingK,
  meanSd,
  passAtKTable,
  RECIPE_LABEL,
  sideEffectTable,
  transitionTable,
} from './comparison-tables.ts';
import { renderBarChart } from './svg-bars.ts';
import { renderLineChart } from './svg-plot.ts';

export interface ReportOptions {
  title?: string;
  /** The commands that made the runs and this report, shown at the top. */
  commands?: string[];
  /** Free markdown after the commands, before the tables (the reading of the results). */
  notes?: string[];
}

const mean = (xs: number[]) => meanSd(xs).mean;

function recipesOf(runs: readonly CompareResults[]): string[] {
  const order = ['sft', 'rft', 'dpo', 'grpo'];
  return order.filter((n) => runs.some((r) => r.recipes[n]));
}

export function comparisonPlots(runs: readonly CompareResults[]): Record<string, string> {
  const recipes = recipesOf(runs).filter((n) => runs.every((r) => r.recipes[n]));
  const n = beforeOf(runs[0]!).sampled['val']!.samples;
  const ks = allKs(n);
  const curve = (f: (r: CompareResults) => ReturnType<typeof beforeOf>) => {
    const per = runs.map((r) => passAtKCurve(f(r), 'val', ks));
    return ks.map((k, i) => [Math.log2(k), mean(per.map((p) => p[i]!.value))] as const);
  };
  const passk = renderLineChart({
    title: `pass@k on held-out val people (mean of ${runs.length} seeds)`,
    xLabel: 'log2 k',
    yLabel: 'pass@k',
    yRange: [0, 1],
    series: [
      { name: 'before', points: curve(beforeOf), dashed: true },
      ...recipes.map((name) => ({ name, points: curve((r) => afterOf(r, name)) })),
    ],
  });
  const methods = ['before', ...recipes];
  const acc = (name: string, split: 'val' | 'test') =>
    mean(
      runs.map((r) => (name === 'before' ? beforeOf(r) : afterOf(r, name)).greedy[split].accuracy),
    );
  const majRuns = runs.filter((r) => r.before?.majority);
  const accuracy = renderBarChart({
    title: `Greedy accuracy on held-out people (mean of ${runs.length} seeds)`,
    yLabel: 'accuracy',
    yRange: [0, 1],
    categories: [
      ...methods,
      ...(majRuns.length ? [`maj@${majRuns[0]!.before!.majority!['val']!.k}`] : []),
    ],
    series: (['val', 'test'] as const).map((split) => ({
      name: split,
      values: [
        ...methods.map((m) => acc(m, split)),
        ...(majRuns.length ? [mean(majRuns.map((r) => r.before!.majority![split]!.accuracy))] : []),
      ],
    })),
  });
  const gains = runs.filter((r) => r.recipes['grpo']).map((r) => bucketGains(r, 'grpo'));
  const attr = runs.filter((r) => r.attribution && r.recipes['grpo']).map(attribution);
  const buckets = renderBarChart({
    title: 'Accessibility buckets of the train questions (before training)',
    yLabel: 'share',
    categories: [...ACCESS_BUCKETS],
    series: [
      {
        name: 'share of train',
        values: ACCESS_BUCKETS.map((_, i) => mean(gains.map((g) => g[i]!.share))),
      },
      {
        name: "GRPO's train gain",
        values: ACCESS_BUCKETS.map((_, i) => mean(gains.map((g) => g[i]!.shareOfGain))),
      },
      ...(attr.length
        ? [
            {
              name: 'held-out gain, bucket alone',
              values: ACCESS_BUCKETS.map((b) =>
                mean(attr.map((a) => a.rows.find((x) => x.bucket === b)?.share ?? Number.NaN)),
              ),
            },
          ]
        : []),
    ],
  });
  const floor = 1e-6;
  const lg = (p: number) => Math.log10(Math.max(floor, p));
  const pairs = runs.filter((r) => r.recipes['grpo']).flatMap((r) => goldPairs(r, 'grpo'));
  const pgold = renderLineChart({
    title: 'P(gold) on held-out people, before vs after GRPO (log10, floor 1e-6)',
    xLabel: 'log10 P(gold) before',
    yLabel: 'log10 P(gold) after',
    yRange: [-6, 0],
    series: [
      {
        name: 'gold ≠ popular',
        style: 'points',
        points: pairs
          .filter((p) => !p.goldIsPopular)
          .map((p) => [lg(p.before), lg(p.after)] as const),
      },
      {
        name: 'gold = popular',
        style: 'points',
        points: pairs
          .filter((p) => p.goldIsPopular)
          .map((p) => [lg(p.before), lg(p.after)] as const),
      },
      {
        name: 'no change',
        dashed: true,
        points: [
          [-6, -6],
          [0, 0],
        ],
      },
    ],
  });
  return { accuracy, passk, buckets, pgold };
}

export function comparisonMarkdown(
  runs: readonly CompareResults[],
  plotBase: string,
  opts: ReportOptions = {},
): string {
  const recipes = recipesOf(runs);
  const r0 = runs[0]!;
  const n = beforeOf(r0).sampled['val']!.samples;
  const out: string[] = [`# ${opts.title ?? 'FactWorld: GRPO beside SFT, RFT, DPO and maj@k'}`, ''];
  if (opts.commands?.length) out.push('Made with:', '', '```sh', ...opts.commands, '```', '');
  if (opts.notes?.length) out.push(...opts.notes, '');
  out.push(
    `World seeds ${runs.map((r) => r.worldSeed).join(', ')}${runs.some((r) => !r.complete) ? ' (some phases unfinished: see the per-seed notes)' : ''}; mean ± sample sd over seeds. Every method starts from the same pretrained tiny model of its seed and is judged by the same env judge; test is the server's eval-role aggregate.`,
    '',
    '## Held-out greedy accuracy per method',
    '',
    ...mainTable(runs, recipes),
    'CoT is not run: the tiny FactWorld model was pretrained on biographies and one-line Q/A text only, has no reasoning text to imitate and a 64-token context, so a chain of thought would measure the prompt format, not a test-time method.',
    '',
    `![held-out accuracy](${plotBase}-accuracy.svg)`,
    '',
    `## pass@k on held-out val people (n = ${n} samples per question, unbiased estimator)`,
    '',
    ...passAtKTable(runs, recipes),
    `![pass@k](${plotBase}-passk.svg)`,
    '',
  );
  for (const name of recipes.filter((x) => runs.every((r) => r.recipes[x])))
    out.push(
      `- ${RECIPE_LABEL[name]}: pass@1 after reaches the pre-training pass@k at k = ${runs.map((r) => matchingK(r, name) ?? `>${n}`).join(', ')} (per seed).`,
    );
  out.push(
    '',
    `## Accessibility buckets (train questions, ${n} samples before training) and where the gain sits`,
    '',
    'Buckets: greedy-correct (greedy answer already right), never (0 of n samples right), rare (≤ 10%), sometimes (≤ 50%), mostly (> 50% but greedy wrong). "Share of train gain": the net questions each recipe gained on its own train questions inside the bucket, over the total (sums to 1).',
    '',
    ...bucketTable(runs, recipes),
    `![buckets](${plotBase}-buckets.svg)`,
    '',
    '## Gain attribution: GRPO on one bucket alone',
    '',
    'Each run trains GRPO from the same model on the train questions of one bucket only, with the same schedule (steps, batch of min(32, bucket size) questions x 5 answers) as a run on all train questions; its held-out gain is shown beside that all-questions run (the GRPO recipe itself when the attribution has no all run of its own). "Share" divides by the sum over buckets (sums to 1); "of the all-questions gain" divides by the all run (the gains need not add up).',
    '',
    ...attributionTable(runs),
    '## P(gold) before and after (teacher-forced: the answer tokens and the stop token after the question; FactWorld questions have one alias, so the best alias is that one)',
    '',
    ...goldTable(runs, recipes),
    `![P(gold) scatter](${plotBase}-pgold.svg)`,
    '',
    '## Greedy answer transitions (summed over seeds)',
    '',
    ...transitionTable(runs, recipes),
    '## Side effect: held-out questions whose true answer is the popular value',
    '',
    ...sideEffectTable(runs, recipes),
  );
  out.push('## Per seed', '');
  for (const r of runs)
    out.push(
      `- seed ${r.worldSeed}: ${r.complete ? 'complete' : 'unfinished'}; ${Object.entries(r.recipes)
        .map(
          ([k, v]) =>
            `${k} ${v.seconds.toFixed(0)} s (val ${(100 * v.after.greedy.val.accuracy).toFixed(1)}%, test ${(100 * v.after.greedy.test.accuracy).toFixed(1)}%${v.rounds.length ? `; kept per round ${v.rounds.map((x) => x.kept).join('/')}` : ''})`,
        )
        .join(
          '; ',
        )}${r.attribution ? `; attribution ${r.attribution.runs.map((a) => `${a.bucket} ${a.questions} q`).join(', ')}` : '; no attribution'}.`,
    );
  out.push('');
  return out.join('\n');
}

/** Write the markdown file and its plots beside it; returns the paths written. */
export async function writeComparisonReport(
  runs: readonly CompareResults[],
  outFile: string,
  opts: ReportOptions = {},
): Promise<string[]> {
  const base = basename(outFile).replace(/\.md$/, '');
  const written: string[] = [];
  for (const [name, svg] of Object.entries(comparisonPlots(runs))) {
    const p = join(dirname(outFile), `${base}-${name}.svg`);
    await writeFileAtomic(p, svg);
    written.push(p);
  }
  await writeFileAtomic(outFile, comparisonMarkdown(runs, base, opts));
  return [outFile, ...written];
}
