/**
 * `factrecall compare` end to end on the test organism (60 people, cached in the OS temp
 * folder): every recipe (GRPO, SFT, RFT, DPO) with a tiny budget through a loopback env, maj@k,
 * bucket-alone attribution, the results file, its analyses, and continuing a finished folder.
 * Needs a Python with torch; skipped with a printed reason otherwise.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../../cli/commands/analyze.ts';
import { TEST_TRAIN, testCacheDir, testOrganism } from '../../../test/support/test-organism.ts';
import { findPythonWithTorch } from '../launcher.ts';
import { parseRecipeList, parseRecipesConfig } from '../recipes/recipe-config.ts';
import { deepMerge, parseTrainConfig } from '../training/config.ts';
import { type CompareOptions, readCompareResults, runCompare } from './compare-run.ts';

let python: string | undefined;
try {
  python = (await findPythonWithTorch()).python;
} catch (e) {
  console.warn(
    `skipping the recipe comparison test: no Python with torch (${(e as Error).message})`,
  );
}

describe.skipIf(!python)('a tiny FactWorld comparison of every recipe', () => {
  let previousCache: string | undefined;
  beforeAll(() => {
    previousCache = process.env.FACTRECALL_CACHE;
    process.env.FACTRECALL_CACHE = testCacheDir();
  });
  afterAll(() => {
    if (previousCache === undefined) delete process.env.FACTRECALL_CACHE;
    else process.env.FACTRECALL_CACHE = previousCache;
  });

  it('runs GRPO, SFT, RFT and DPO from the same model with their budgets, then continues the folder without rerunning', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'fr-compare-'));
    const opts: CompareOptions = {
      train: parseTrainConfig(
        deepMerge(TEST_TRAIN as Record<string, unknown>, {
          grpo: { maxSteps: 2 },
          worker: { python },
        }),
      ),
      organism: testOrganism(),
      recipes: parseRecipeList('grpo,sft,rft,dpo'),
      recipesConfig: parseRecipesConfig({
        sft: { epochs: 1, questionsPerBatch: 40, lr: 1e-3 },
        rft: { rounds: 1, samplesPerQuestion: 2, batchSize: 64, questionsPerReset: 60 },
        dpo: { rounds: 1, samplesPerQuestion: 2, batchSize: 64, questionsPerReset: 60 },
      }),
      samples: 4,
      majorityK: 2,
      attribution: true,
      attributionBuckets: ['never', 'greedy-correct'],
      runDir,
      log: () => undefined,
    };
    const r = await runCompare(opts);
    const train = r.questions.filter((q) => q.split === 'train').length;
    expect(train).toBeGreaterThan(0);
    expect(r.complete).toBe(true);
    expect(Object.keys(r.before!.sampled['train']!.correct)).toHaveLength(train);
    expect(r.before!.majority!['test']!.k).toBe(2);
    expect(r.recipes['grpo']!.budget).toEqual({
      questionsSeen: 2 * 8,
      samplesDrawn: 2 * 8 * 4,
      gradientSteps: 2,
    });
    expect(r.recipes['sft']!.budget).toEqual({
      questionsSeen: train,
      samplesDrawn: 0,
      gradientSteps: Math.ceil(train / 40),
    });
    for (const name of ['rft', 'dpo']) {
      const { budget, rounds } = r.recipes[name]!;
      expect(budget.questionsSeen).toBe(train);
      expect(budget.samplesDrawn).toBe(train * 2);
      expect(budget.gradientSteps).toBe(Math.ceil(rounds[0]!.kept / 64));
    }
    // SFT at this lr moves the model: some greedy answer on the train people changes
    const before = r.before!.greedy.train.answers;
    const sft = r.recipes['sft']!.after.greedy.train.answers;
    expect(Object.keys(before).some((id) => before[id]![0] !== sft[id]![0])).toBe(true);
    const att = r.attribution!;
    const count = (b: string) => Object.values(att.bucketOf).filter((x) => x === b).length;
    const asked = ['never', 'greedy-correct'].filter((b) => count(b) > 0);
    expect(asked.length).toBeGreaterThan(0);
    expect(att.runs.map((x) => x.bucket)).toEqual(asked);
    for (const run of att.runs) expect(run.questions).toBe(count(run.bucket));
    expect(Object.keys(att.bucketOf)).toHaveLength(train);
    for (const run of att.runs) expect(run.steps).toBe(2);

    const back = await readCompareResults(runDir);
    expect(back.recipes['dpo']!.budget).toEqual(r.recipes['dpo']!.budget);
    for (const what of ['passk', 'buckets', 'attribution', 'pgold', 'transitions'])
      expect(analyze(what, back).markdown.length).toBeGreaterThan(2);

    const lines: string[] = [];
    const again = await runCompare({ ...opts, log: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/continuing .*kept before, grpo, sft, rft, dpo, attribution/);
    expect(again.recipes['grpo']!.seconds).toBe(r.recipes['grpo']!.seconds);

    // A folder made from another pretraining of the same config (one epoch's loss differs in
    // its last digits, as seeds 1 and 2 pretrained again at stop 23 did) is refused, not mixed.
    const path = join(runDir, 'results.json');
    const made = JSON.parse(await readFile(path, 'utf8'));
    made.setup.pretrained.epochLosses[0] += 1e-12;
    await writeFile(path, JSON.stringify(made));
    await expect(runCompare(opts)).rejects.toMatchObject({
      code: 'FR_ERR_TRAIN_RUN_MODEL_MISMATCH',
    });
  }, 900_000);
});
