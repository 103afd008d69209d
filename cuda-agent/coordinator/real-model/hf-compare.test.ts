/**
 * `runHfCompare` end to end on a random-weight transformers model built here: the evaluation
 * before, SFT, RFT and DPO each from the starting model on the first train questions of the
 * env's order, the evaluation after each, the shared first draw, and a second call on the same
 * folder that keeps every finished phase, and P(gold) on the val questions after each recipe. Needs a Python with torch and transformers; skipped
 * with a printed reason otherwise.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateWorld, worldSplitSource } from '../../../env/datasets/factworld/index.ts';
import { pythonWithTorch } from '../../../test/support/python-with-torch.ts';
import { tinyHfRig } from '../../../test/support/tiny-hf-model.ts';
import { parseRecipesConfig } from '../recipes/recipe-config.ts';
import { parseTrainConfig } from '../training/config.ts';
import { runHfCompare } from './hf-compare.ts';
import { type HeldOutGoldScore, valGoldsOf } from './hf-gold-prob.ts';

const { python, skipWhy } = await pythonWithTorch();

describe.skipIf(!python)(
  `the recipes on a real model with the hf engine${skipWhy ? ` (skipped: ${skipWhy})` : ''}`,
  () => {
    const rig = tinyHfRig(python!, 'fr-hf-compare-');

    it('runs SFT, RFT and DPO on the first train questions, evaluates each and continues a folder', async () => {
      const cfg = parseTrainConfig({
        runId: 'cmp',
        runsDir: join(rig.dir, 'runs'),
        env: { url: rig.server!.wsUrl, judge: 'contains' },
        sampling: { maxNewTokens: 4 },
        eval: { everySteps: 0, maxQuestions: 3, passAtKSamples: 2, passAtKQuestions: 2 },
        worker: { engine: 'hf', model: rig.model, threads: 1, device: 'cpu', python: python! },
      });
      const recipesConfig = parseRecipesConfig({
        sft: { questions: 5, questionsPerBatch: 2, epochs: 1, lr: 1e-3 },
        rft: { questions: 5, rounds: 1, samplesPerQuestion: 3, questionsPerReset: 2 },
        dpo: { questions: 5, rounds: 1, samplesPerQuestion: 3, questionsPerReset: 2 },
      });
      const lines: string[] = [];
      // the rig's world: this host holds the golds of the val questions the env serves
      const valGolds = valGoldsOf(worldSplitSource(generateWorld({ seed: 2, people: 40 })));
      const r = await runHfCompare({
        train: cfg,
        recipes: ['sft', 'rft', 'dpo'],
        recipesConfig,
        log: (l) => lines.push(l),
        valGolds,
      });
      expect(r.complete).toBe(true);
      expect(r.before?.val.questions).toBe(3);
      expect(r.before?.passAtK?.k).toEqual([1, 2]);
      // SFT: 5 questions in batches of 2 = 3 steps (2 + 2 + 1), no samples
      expect(r.recipes.sft!.budget).toEqual({
        questionsSeen: 5,
        samplesDrawn: 0,
        gradientSteps: 3,
      });
      expect(r.recipes.sft!.steps.map((s) => s.rows)).toEqual([2, 2, 1]);
      for (const name of ['rft', 'dpo']) {
        expect(r.recipes[name]!.budget.questionsSeen).toBe(5);
        expect(r.recipes[name]!.budget.samplesDrawn).toBe(15);
        expect(r.recipes[name]!.after.test.questions).toBe(3);
      }
      // DPO learnt from RFT's draw of the starting model (one draw, kept on disk)
      const kept = JSON.parse(
        await readFile(join(r.setup.train.runsDir, 'cmp', 'start-samples.json'), 'utf8'),
      );
      expect(kept.groups).toHaveLength(5);
      expect(lines.filter((l) => l.includes('round 1/1'))).toHaveLength(2);
      const runDir = join(cfg.runsDir, 'cmp');
      for (const when of ['before-training', 'after-sft', 'after-rft', 'after-dpo'])
        expect(existsSync(join(runDir, `greedy-${when}.jsonl`))).toBe(true);
      // P(gold) on the 3 evaluated val questions after each recipe; "before" is the worker's
      // reference, the same starting model in every recipe's worker, so it is the same number
      // for every recipe, while SFT's gradient steps move "after"
      const gold: Record<string, HeldOutGoldScore[]> = {};
      for (const name of ['sft', 'rft', 'dpo']) {
        const g = r.recipes[name]!.goldProb!;
        expect(g.questions).toBe(3);
        expect(g.skipped).toBe(0);
        expect(g.raised + g.lowered).toBeLessThanOrEqual(3);
        gold[name] = (await readFile(join(runDir, `gold-prob-after-${name}.jsonl`), 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        for (const q of gold[name]!) {
          expect(q.before).toBeGreaterThan(0);
          expect(q.before).toBeLessThanOrEqual(1);
          expect(q.after).toBeGreaterThan(0);
        }
      }
      const ids = gold.sft!.map((q) => q.questionId);
      expect(new Set(ids).size).toBe(3);
      for (const name of ['rft', 'dpo']) {
        expect(gold[name]!.map((q) => q.questionId)).toEqual(ids);
        gold[name]!.forEach((q, i) => {
          expect(q.before).toBeCloseTo(gold.sft![i]!.before, 6);
        });
      }
      expect(gold.sft!.some((q) => Math.abs(q.after - q.before) > 1e-6 * q.before)).toBe(true);
      const again = await runHfCompare({
        train: cfg,
        recipes: ['sft', 'rft', 'dpo'],
        recipesConfig,
        log: (l) => lines.push(l),
        valGolds,
      });
      expect(again.recipes).toEqual(r.recipes);
      const md = await readFile(join(runDir, 'report.md'), 'utf8');
      expect(md).toContain('| SFT on gold answers |');
      expect(md).toContain('| 5 / 0 / 3 |');
      expect(md).toContain('pass@k on the first 2 val questions from n = 2 samples');
      expect(md).toContain('P(gold) on the val questions above');
      expect(md).toContain('![P(gold) before vs after, per val question](gold-prob.svg)');
      const svg = await readFile(join(runDir, 'gold-prob.svg'), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      for (const name of ['SFT on gold answers', 'RFT (rejection-sampling FT)', 'no change'])
        expect(svg).toContain(name);
      expect(md).toMatch(/\| SFT on gold answers \| 3 \| \d+ \| /);
      expect(lines.some((l) => l.startsWith('continuing'))).toBe(true);
    }, 600_000);
  },
);
