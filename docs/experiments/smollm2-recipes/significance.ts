/**
 * The one-sided Fisher exact p-values quoted in docs/experiments/smollm2-recipes.md: for each
 * recipe of a comparison's results.json, its greedy count right against the evaluation before
 * training (val and test, the reward judge), and GRPO against every other recipe.
 *
 *   npx tsx docs/experiments/smollm2-recipes/significance.ts docs/experiments/smollm2-recipes/v4/results.json
 *   npx tsx docs/experiments/smollm2-recipes/significance.ts --counts 11/200 7/200   # A's, then B's
 */
import { readFileSync } from 'node:fs';
import { fisherOneSided } from '../../../lib/fisher.ts';

interface Eval {
  questions: number;
  accuracy: number;
}
interface Results {
  before: Record<'val' | 'test', Eval>;
  recipes: Record<string, { after?: Record<'val' | 'test', Eval> }>;
}

const args = process.argv.slice(2);
if (args[0] === '--counts' && args.length === 3) {
  const [a, b] = args.slice(1).map((c) => c.split('/').map(Number)) as [number[], number[]];
  process.stdout.write(`p = ${fisherOneSided(a[0]!, a[1]!, b[0]!, b[1]!).toFixed(3)}\n`);
  process.exit(0);
}
const path = args[0];
if (!path || args.length !== 1) {
  process.stderr.write('usage: significance.ts <results.json> | --counts RIGHT/N RIGHT/N\n');
  process.exit(2);
}
const r = JSON.parse(readFileSync(path, 'utf8')) as Results;
const right = (e: Eval) => Math.round(e.accuracy * e.questions);
const cell = (a: Eval, b: Eval) =>
  `${right(a)}/${a.questions} vs ${right(b)}/${b.questions}: p = ${fisherOneSided(right(a), a.questions, right(b), b.questions).toFixed(3)}`;

const rows: string[] = ['| A | B | val (A vs B) | test (A vs B) |', '|---|---|---|---|'];
const done = Object.entries(r.recipes).filter(([, x]) => x.after);
for (const [name, x] of done)
  rows.push(
    `| ${name} | before | ${cell(x.after!.val, r.before.val)} | ${cell(x.after!.test, r.before.test)} |`,
  );
const grpo = r.recipes.grpo?.after;
if (grpo)
  for (const [name, x] of done)
    if (name !== 'grpo')
      rows.push(
        `| grpo | ${name} | ${cell(grpo.val, x.after!.val)} | ${cell(grpo.test, x.after!.test)} |`,
      );
process.stdout.write(
  `One-sided Fisher exact test, H1: A answers more questions right than B.\n\n${rows.join('\n')}\n`,
);
