/**
 * `runHfGrpo` end to end on a random-weight transformers model built here (seconds): a loopback
 * env server, greedy and sampled evaluations before and after, two GRPO steps on the hf
 * engine, the report. Needs a Python with torch and transformers; skipped with a printed reason
 * otherwise.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonWithTorch } from '../../../test/support/python-with-torch.ts';
import { tinyHfRig } from '../../../test/support/tiny-hf-model.ts';
import { parseTrainConfig } from '../training/config.ts';
import type { StepMetrics } from '../training/metrics.ts';
import { runHfGrpo } from './hf-run.ts';

const { python, skipWhy } = await pythonWithTorch();

describe.skipIf(!python)(
  `GRPO on a real model with the hf engine${skipWhy ? ` (skipped: ${skipWhy})` : ''}`,
  () => {
    const rig = tinyHfRig(python!, 'fr-hf-run-');

    it('evaluates, trains two steps through the protocol and writes the report', async () => {
      const cfg = parseTrainConfig({
        runId: 'hf',
        runsDir: join(rig.dir, 'runs'),
        env: { url: rig.server!.wsUrl, judge: 'contains' },
        grpo: { lr: 1e-3, questionsPerBatch: 2, groupSize: 3, maxSteps: 2, microBatchSize: 4 },
        sampling: { maxNewTokens: 4 },
        eval: { everySteps: 0, maxQuestions: 3, passAtKSamples: 2, passAtKQuestions: 2 },
        checkpoint: { everySteps: 1 },
        worker: { engine: 'hf', model: rig.model, threads: 1, device: 'cpu', python: python! },
      });
      const lines: string[] = [];
      const command = `factrecall train --model ${rig.model} --set 'grpo.lr=1e-3'`;
      const r = await runHfGrpo({ train: cfg, log: (l) => lines.push(l), command });
      expect(r.report.steps).toHaveLength(2);
      for (const s of r.report.steps as StepMetrics[]) {
        expect(s.samples).toBe(6);
        expect(Object.keys(s.seconds).sort()).toEqual([
          'generate',
          'judge',
          'score',
          'total',
          'train',
        ]);
        expect(s.seconds.score).toBeGreaterThan(0);
      }
      expect(r.report.greedy.map((g) => g.split)).toEqual([
        'val',
        'test',
        'val (exact)',
        'test (exact)',
      ]);
      expect(r.report.greedy.every((g) => g.questions === 3)).toBe(true);
      expect(r.report.passAtK.map((p) => p.k)).toEqual([1, 2]);
      expect(r.report.tables?.map((t) => t.title)).toEqual([
        'Answer style before and after RL (greedy answers)',
        'Seconds per GRPO step',
      ]);
      const md = await readFile(r.reportPath, 'utf8');
      expect(md).toContain('judge contains');
      expect(md).toContain(['```sh', command, '```'].join('\n'));
      expect(existsSync(join(r.runDir, 'reward.svg'))).toBe(true);
      for (const when of ['before-rl', 'after-rl']) {
        const rows = (await readFile(join(r.runDir, `greedy-${when}.jsonl`), 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        expect(rows.map((x) => x.split)).toEqual(['val', 'val', 'val', 'test', 'test', 'test']);
        expect(Object.keys(rows[0].rewards)).toEqual(['contains', 'exact']);
        expect(
          rows.filter((x) => x.split === 'test').every((x) => x.rewards.contains === null),
        ).toBe(true);
      }
      const config = JSON.parse(await readFile(join(r.runDir, 'config.json'), 'utf8'));
      expect(config.model).toMatchObject({ kind: 'dir', path: rig.model });
      expect(lines.some((l) => l.startsWith('step 2/2'))).toBe(true);
    }, 600_000);
  },
);
