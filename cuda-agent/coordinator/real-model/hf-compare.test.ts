/**
 * `runHfCompare` end to end on a random-weight transformers model built here: the evaluation
 * before, SFT, RFT and DPO each from the starting model on the first train questions of the
 * env's order, the evaluation after each, the shared first draw, and a second call on the same
 * folder that keeps every finished phase. Needs a Python with torch and transformers; skipped
 * with a printed reason otherwise.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonWithTorch } from '../../../test/support/python-with-torch.ts';
import { tinyHfRig } from '../../../test/support/tiny-hf-model.ts';
import { parseRecipesConfig } from '../recipes/recipe-config.ts';
import { parseTrainConfig } from '../training/config.ts';
import { runHfCompare } from './hf-compare.ts';

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
      const r = await runHfCompare({
        train: cfg,
        recipes: ['sft', 'rft', 'dpo'],
        recipesConfig,
        log: (l) => lines.push(l),
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
      const again = await runHfCompare({
        train: cfg,
        recipes: ['sft', 'rft', 'dpo'],
        recipesConfig,
        log: (l) => lines.push(l),
      });
      expect(again.recipes).toEqual(r.recipes);
      const md = await readFile(join(runDir, 'report.md'), 'utf8');
      expect(md).toContain('| SFT on gold answers |');
      expect(md).toContain('| 5 / 0 / 3 |');
      expect(md).toContain('pass@k on the first 2 val questions from n = 2 samples');
      expect(lines.some((l) => l.startsWith('continuing'))).toBe(true);
    }, 600_000);
  },
);
