/**
 * The FactWorld experiment end to end, shortened: the test organism (pretrained once, cached in
 * the OS temp folder), 4 GRPO steps through a loopback env server, evaluations and the report.
 * Needs a Python with torch (`npm test` makes .venv); skipped with a printed reason otherwise.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateWorld,
  groupQuestions,
  worldSplitSource,
} from '../../../env/datasets/factworld/index.ts';
import { TEST_TRAIN, testCacheDir, testOrganism } from '../../../test/support/test-organism.ts';
import { findPythonWithTorch } from '../launcher.ts';
import { deepMerge, parseTrainConfig } from '../training/config.ts';
import { WorkerClient } from '../worker-client.ts';
import { runFactWorldGrpo, startRlWorker, typedChance } from './factworld-run.ts';
import { ensurePretrained } from './pretrain.ts';

let python: string | undefined;
try {
  python = (await findPythonWithTorch()).python;
} catch (e) {
  console.warn(`skipping the FactWorld run test: no Python with torch (${(e as Error).message})`);
}

describe('the typed-guesser chance level', () => {
  it('is the mean over questions of 1 - (1 - share of the gold value)^k, rising with k', () => {
    const world = generateWorld({ seed: 1, people: 40 });
    const ids = worldSplitSource(world).splits.test!.map((q) => q.id);
    const c1 = typedChance(world, ids, 1);
    expect(c1).toBeGreaterThan(0);
    expect(c1).toBeLessThan(0.5);
    expect(typedChance(world, ids, 8)).toBeGreaterThan(c1);
  });
});

describe.skipIf(!python)('a short FactWorld GRPO run', () => {
  let previousCache: string | undefined;
  beforeAll(() => {
    previousCache = process.env.FACTRECALL_CACHE;
    process.env.FACTRECALL_CACHE = testCacheDir();
  });
  afterAll(() => {
    if (previousCache === undefined) delete process.env.FACTRECALL_CACHE;
    else process.env.FACTRECALL_CACHE = previousCache;
  });

  it('starts RL from the cached pretrained model with the run lr and a fresh optimizer (load overrides)', async () => {
    const organism = testOrganism();
    const model = await ensurePretrained(organism, { quiet: true, python: python! });
    const train = parseTrainConfig(
      deepMerge(TEST_TRAIN as Record<string, unknown>, {
        grpo: { lr: 3e-4, klCoef: 0.05 },
        worker: { python },
      }),
    );
    const again = await ensurePretrained(organism, { quiet: true, python: python! });
    expect(again.cached).toBe(true);
    expect(again.path).toBe(model.path);

    const oneStep = async (w: WorkerClient) => {
      const g = await w.generate({ prompts: ['Q: Who? A:'], n: 2, max_new_tokens: 3, seed: 1 });
      const r = g.results[0]!;
      return w.trainStep({
        samples: r.samples.map((s, i) => ({
          prompt_ids: r.prompt_ids,
          completion_ids: s.token_ids,
          old_logprobs: s.logprobs,
          advantage: i === 0 ? 1 : -1,
        })),
      });
    };
    const rl = await startRlWorker(train, model.path);
    try {
      const step = await oneStep(rl);
      expect(step.lr).toBe(3e-4);
      expect(step.step).toBe(1);
    } finally {
      await rl.shutdown();
    }
    // Without overrides the file's own settings are in force (init's default lr 1e-6).
    const plain = await WorkerClient.start({ python: python! });
    try {
      const loaded = await plain.load({ path: model.path, threads: 1 });
      expect(loaded.fresh_optimizer).toBe(false);
      expect(loaded.optim.lr).toBe(1e-6);
      expect(loaded.loss.kl_coef).toBe(0.001);
      expect((await oneStep(plain)).lr).toBe(1e-6);
    } finally {
      await plain.shutdown();
    }
  }, 180_000);

  it('evaluates before and after, trains through the protocol and writes the report with plots', async () => {
    const runsDir = await mkdtemp(join(tmpdir(), 'fr-fw-run-'));
    const train = parseTrainConfig(
      deepMerge(TEST_TRAIN as Record<string, unknown>, {
        runId: 'short',
        runsDir,
        grpo: { maxSteps: 4 },
        eval: { everySteps: 2, passAtKSamples: 8, passAtKQuestions: 10 },
        worker: { python },
      }),
    );
    const r = await runFactWorldGrpo({
      train,
      organism: testOrganism(),
      quiet: true,
      log: () => {},
    });
    expect(r.report.greedy.map((g) => g.split)).toEqual(['train', 'val', 'test']);
    // Greedy accuracy is correct answers over questions, one answer per question: a whole
    // number of correct answers between 0 and the questions asked, before and after.
    for (const g of r.report.greedy) {
      expect(g.questions, g.split).toBeGreaterThan(0);
      for (const accuracy of [g.before, g.after]) {
        const correct = accuracy * g.questions;
        expect(correct, `${g.split} ${accuracy}`).toBeCloseTo(Math.round(correct), 9);
        expect(Math.round(correct)).toBeGreaterThanOrEqual(0);
        expect(Math.round(correct)).toBeLessThanOrEqual(g.questions);
      }
    }
    expect(r.report.passAtK.filter((p) => p.split === 'val').map((p) => p.k)).toEqual([1, 2, 4, 8]);
    expect(r.report.passAtK.every((p) => p.chance > 0 && p.chance < 1)).toBe(true);
    expect(r.report.steps).toHaveLength(4);
    // Evaluations at step 0 (before), step 2 (during) and step 4 (after), for val and test.
    expect(r.report.evals.map((e) => e.step)).toEqual([0, 0, 2, 2, 4, 4]);
    // Probability of the gold answer: every question of each group, then the sampled ones by bucket.
    const world = generateWorld(testOrganism().world);
    const whole = r.report.goldProb.filter((g) => g.bucket === undefined);
    expect(whole.map((g) => [g.split, g.questions])).toEqual(
      (['train', 'val', 'test', 'qa'] as const).map((s) => [s, groupQuestions(world, s).length]),
    );
    for (const g of r.report.goldProb)
      for (const p of [g.before, g.after, g.medianBefore, g.medianAfter, g.popularBefore!]) {
        expect(p).toBeGreaterThan(0);
        expect(p).toBeLessThanOrEqual(1);
      }
    for (const split of ['train', 'val']) {
      const rows = r.report.goldProb.filter((g) => g.split === split && g.bucket !== undefined);
      expect(rows.reduce((a, g) => a + g.questions, 0)).toBe(10);
    }
    const md = await readFile(r.reportPath, 'utf8');
    expect(md).toContain('## Probability of the gold answer before and after RL');
    expect(md).toMatch(/\| val \| all \| \d+ \| [\d.e-]+% \|/);
    expect(md).toMatch(/\| test \| held-out people/);
    expect(md).toMatch(/\| val \| 8 \| 10 \| 8 \|/);
    for (const f of ['reward.svg', 'accuracy.svg', 'report.json', 'metrics.jsonl', 'config.json'])
      expect(existsSync(join(r.runDir, f)), f).toBe(true);
    expect(await readFile(join(r.runDir, 'accuracy.svg'), 'utf8')).toContain('<polyline');
  }, 180_000);
});
