import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { movingAverage, probPct, type RunReport, relativeGain, writeRunReport } from './report.ts';

describe('the run report', () => {
  it('computes relative gain and a moving average', () => {
    expect(relativeGain(0.1, 0.3)).toBe('+200.0%');
    expect(relativeGain(0.5, 0.4)).toBe('-20.0%');
    expect(relativeGain(0, 0.2)).toBe('n/a (from 0)');
    expect(movingAverage([1, 2, 3, 4], 2)).toEqual([1, 1.5, 2.5, 3.5]);
  });

  it('prints small probabilities with two significant digits', () => {
    expect(probPct(0.25)).toBe('25.0%');
    expect(probPct(0.0123)).toBe('1.2%');
    expect(probPct(0.000456)).toBe('0.046%');
    expect(probPct(1.5e-7)).toBe('1.5e-5%');
    expect(probPct(0)).toBe('0.0%');
    expect(probPct(Number.NaN)).toBe('–');
  });

  it('writes a markdown table with before, after, gain and chance, plus two SVG plots', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fr-report-'));
    const r: RunReport = {
      runId: 'r1',
      title: 'FactWorld GRPO',
      setup: ['world: 40 people'],
      greedy: [
        {
          split: 'train',
          who: 'RL-training',
          questions: 50,
          before: 0.1,
          after: 0.5,
          popularBefore: 0.8,
          popularAfter: 0.1,
        },
        { split: 'test', who: 'held-out', questions: 40, before: 0.2, after: 0.3 },
      ],
      passAtK: [
        { split: 'test', samples: 8, questions: 40, k: 8, before: 0.5, after: 0.7, chance: 0.04 },
      ],
      goldProb: [
        {
          split: 'test',
          questions: 40,
          before: 0.05,
          after: 0.2,
          medianBefore: 0.01,
          medianAfter: 0.125,
          popularBefore: 0.6,
          popularAfter: 0.1,
        },
        {
          split: 'train',
          bucket: 'never',
          questions: 3,
          before: 0.001,
          after: 0.5,
          medianBefore: 0.001,
          medianAfter: 0.5,
        },
      ],
      steps: [],
      evals: [
        { type: 'eval', step: 0, split: 'test', questions: 40, accuracy: 0.2, masked: 0 },
        { type: 'eval', step: 10, split: 'test', questions: 40, accuracy: 0.3, masked: 0 },
      ],
      timings: { train: 12.5 },
      notes: [],
    };
    await writeRunReport(dir, r);
    const md = await readFile(join(dir, 'report.md'), 'utf8');
    expect(md).toContain(
      '| train | RL-training | 50 | 10.0% | 50.0% | +40.0 pts | +400.0% | 80.0% → 10.0% |',
    );
    expect(md).toContain('| test | 8 | 40 | 8 | 50.0% | 70.0% | 4.0% |');
    expect(md).toContain('| test | all | 40 | 5.0% | 20.0% | 1.0% | 12.5% | 60.0% → 10.0% |');
    expect(md).toContain('| train | never | 3 | 0.10% | 50.0% | 0.10% | 50.0% | – |');
    expect(await readFile(join(dir, 'accuracy.svg'), 'utf8')).toContain('<polyline');
    expect(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')).greedy).toHaveLength(2);
  });
});
