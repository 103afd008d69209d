/**
 * `factrecall compare`: the training recipes (GRPO, SFT, RFT, DPO) and the test-time baseline
 * maj@k side by side on FactWorld, one world seed after another, each from the same pretrained
 * tiny model, through the same env and judge (cuda-agent/coordinator/organism/compare-run.ts).
 * Writes `<out>/seed-<s>/results.json`; `factrecall analyze` and `factrecall report` read them.
 * With `--model` (and `--splits`, `--judge`, `--preset` as in `train --model`) the recipes run
 * on that real language model instead (real-model/hf-compare.ts), into `runs/<run id>/`.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { defaultRunId } from '../../cuda-agent/coordinator/analysis/phase-timer.ts';
import {
  type CompareResults,
  runCompare,
} from '../../cuda-agent/coordinator/organism/compare-run.ts';
import { DEMO_TRAIN_PRESET } from '../../cuda-agent/coordinator/organism/organism-config.ts';
import { loadRunConfig } from '../../cuda-agent/coordinator/organism/run-config.ts';
import { runHfCompare } from '../../cuda-agent/coordinator/real-model/hf-compare.ts';
import type { HfCompareResults } from '../../cuda-agent/coordinator/real-model/hf-compare-report.ts';
import { valGoldsOf } from '../../cuda-agent/coordinator/real-model/hf-gold-prob.ts';
import {
  parseRecipeList,
  parseRecipesConfig,
} from '../../cuda-agent/coordinator/recipes/recipe-config.ts';
import { applyOverrides } from '../../cuda-agent/coordinator/training/config.ts';
import { loadPreparedSplits } from '../../env/splits/load.ts';
import { shellQuote } from '../../lib/shell-quote.ts';
import { wholeNumberFlag } from './env.ts';
import { type RealModelFlags, realModelConfig } from './real-model-config.ts';

export interface CompareFlags extends Partial<RealModelFlags> {
  besideJudge?: string;
  runId?: string;
  seeds: string;
  recipes: string;
  samples: string;
  majK: string;
  attribution?: boolean;
  out: string;
  set: string[];
}

/** The seeds of `--seeds 0,1,2`, each a whole number. */
export function parseSeeds(list: string): number[] {
  return list.split(',').map((s) => wholeNumberFlag('seeds', s.trim()));
}

/** `compare --model`: the recipes on a real language model over prepared splits. */
export async function compareRealModel(flags: CompareFlags): Promise<HfCompareResults> {
  const recipes = parseRecipeList(flags.recipes);
  const recipeSets = flags.set.filter((s) => s.startsWith('recipes.'));
  const cfg = await realModelConfig({ ...flags, preset: flags.preset ?? 'cpu' }, [
    ...flags.set.filter((s) => !s.startsWith('recipes.')),
    `runId=${flags.runId ?? defaultRunId('hf-compare')}`,
  ]);
  return runHfCompare({
    train: cfg,
    recipes,
    recipesConfig: parseRecipesConfig(
      applyOverrides(
        {},
        recipeSets.map((s) => s.slice('recipes.'.length)),
      ),
    ),
    besideJudge: flags.besideJudge ?? 'exact',
    command: shellQuote(['factrecall', ...process.argv.slice(2)]),
    // the loopback env serves these splits, so this host holds the val golds: P(gold) rows
    ...(cfg.env.splits && !cfg.env.url
      ? { valGolds: valGoldsOf(await loadPreparedSplits(cfg.env.splits)) }
      : {}),
  });
}

export async function compareCommand(flags: CompareFlags): Promise<CompareResults[]> {
  // `none`: no recipe (e.g. attribution alone, beside another process running the recipes)
  const recipes = flags.recipes === 'none' ? [] : parseRecipeList(flags.recipes);
  const recipeSets = flags.set.filter((s) => s.startsWith('recipes.'));
  const recipesConfig = parseRecipesConfig(
    applyOverrides(
      {},
      recipeSets.map((s) => s.slice('recipes.'.length)),
    ),
  );
  const out: CompareResults[] = [];
  // Every seed's recipes first, then (with --attribution) every seed's bucket runs, which
  // continue the same results.json: a comparison cut short has the main table for all seeds.
  const phases = flags.attribution ? [false, true] : [false];
  for (const attribution of phases)
    for (const seed of parseSeeds(flags.seeds)) {
      const cfg = await loadRunConfig({
        preset: DEMO_TRAIN_PRESET,
        overrides: [
          `organism.world.seed=${seed}`,
          ...flags.set.filter((s) => !s.startsWith('recipes.')),
        ],
      });
      const started = performance.now();
      const r = await runCompare({
        train: cfg.train,
        organism: cfg.organism,
        recipes,
        recipesConfig,
        samples: wholeNumberFlag('samples', flags.samples),
        majorityK: wholeNumberFlag('maj-k', flags.majK),
        attribution,
        runDir: join(flags.out, `seed-${seed}`),
      });
      if (attribution || !flags.attribution) out.push(r);
      process.stderr.write(
        `seed ${seed}${attribution ? ' attribution' : ''} done in ${((performance.now() - started) / 1000).toFixed(0)} s: ${join(flags.out, `seed-${seed}`, 'results.json')}\n`,
      );
    }
  return out;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function register(program: Command): void {
  program
    .command('compare')
    .description(
      'FactWorld: GRPO beside SFT on gold answers, rejection-sampling FT and DPO (and maj@k), each from the same pretrained tiny model, per world seed; writes <out>/seed-<s>/results.json for `factrecall analyze` and `factrecall report`',
    )
    .option('--seeds <list>', 'world seeds, comma-separated', '0')
    .option(
      '--model <name|dir|id|file.gguf>',
      'a real language model on the hf engine instead of FactWorld (as in `train --model`)',
    )
    .option('--splits <name>', 'with --model: prepared splits, e.g. triviaqa')
    .option('--judge <spec>', 'with --model: the reward judge (env.judge), e.g. contains')
    .option(
      '--beside-judge <spec>',
      'with --model: a second judge on the same greedy answers',
      'exact',
    )
    .option('--preset <name>', 'with --model: paper or cpu', 'cpu')
    .option('--run-id <id>', 'with --model: run folder name under runsDir')
    .option('--recipes <list>', 'recipes to run: grpo, sft, rft, dpo, or none', 'grpo,sft,rft,dpo')
    .option('--samples <n>', 'samples per question for pass@k and buckets (paper: 128)', '128')
    .option('--maj-k <n>', 'k of the maj@k baseline on val and test (0 = skip)', '16')
    .option('--attribution', 'also GRPO on each accessibility bucket alone (5 more runs per seed)')
    .option(
      '--out <dir>',
      'output folder',
      `runs/compare-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    )
    .option(
      '--set <key=value>',
      'override a field: grpo.*, sampling.*, organism.* (as in `demo`) or recipes.sft|rft|dpo.* (repeatable)',
      collect,
      [],
    )
    .action(async (flags: CompareFlags) => {
      if (flags.model !== undefined || flags.splits !== undefined) {
        const r = await compareRealModel(flags);
        process.stdout.write(
          `results: ${r.setup.train.runsDir}/${r.setup.train.runId}/results.json\n`,
        );
        return;
      }
      await compareCommand(flags);
    });
}
