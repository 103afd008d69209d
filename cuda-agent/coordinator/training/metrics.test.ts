import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricsLog, progressLine, type StepMetrics } from './metrics.ts';

const step = (n: number, reward: number): StepMetrics => ({
  type: 'step',
  step: n,
  epoch: 0,
  questions: 4,
  samples: 20,
  rewardMean: reward,
  scored: 20,
  masked: 0,
  zeroVarianceGroups: 1,
  skippedGroups: 0,
  trainedSamples: 20,
  loss: 0.1,
  kl: 0.001,
  clipFraction: 0,
  gradNorm: 1,
  seconds: { generate: 1, judge: 0.1, score: 0.2, train: 0.8, total: 2 },
});

describe('the metrics log', () => {
  it('appends one JSON line per row and, restored from a checkpoint, forgets rows after it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fr-metrics-'));
    const path = join(dir, 'metrics.jsonl');
    const log = await MetricsLog.open(path);
    for (let i = 1; i <= 3; i++) await log.append(step(i, i / 10));
    await log.append({
      type: 'eval',
      step: 3,
      split: 'test',
      questions: 10,
      accuracy: 0.5,
      masked: 0,
    });
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(4);
    const saved = log.rows.slice(0, 2);
    const resumed = await MetricsLog.open(path, saved);
    await resumed.append(step(3, 0.9));
    const lines = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3]);
    expect(lines[2].rewardMean).toBe(0.9);
    expect(resumed.steps()).toHaveLength(3);
  });

  it('renders a compact progress line with a running average and an eta', () => {
    const rows = [step(1, 0.2), step(2, 0.4)];
    const line = progressLine(rows[1]!, 10, rows);
    expect(line).toContain('step 2/10');
    expect(line).toContain('reward 40.0% (avg10 30.0%)');
    expect(line).toContain('eta 16s');
  });
});
