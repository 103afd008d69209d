import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../cli/commands/analyze.ts';
import { compareFixture } from '../../../test/support/compare-fixture.ts';
import { readCompareResults } from '../organism/compare-run.ts';
import {
  afterOf,
  attribution,
  beforeOf,
  bucketGains,
  heldOutAccuracy,
  passAtKCurve,
  popularSideEffect,
  trainBuckets,
  transitions,
} from './comparison.ts';
import { writeComparisonReport } from './comparison-report.ts';
import { matchingK, meanSd } from './comparison-tables.ts';

describe('the comparison analyses on a hand-made run', () => {
  const r = compareFixture();

  it('computes pass@k with the unbiased estimator, as by hand', () => {
    // v1: 1 of 4 correct; v2: 4 of 4. pass@1 = (1/4 + 1) / 2; pass@2 = (1 - C(3,2)/C(4,2) + 1) / 2 = (0.5 + 1) / 2
    const c = passAtKCurve(beforeOf(r), 'val', [1, 2, 4]);
    expect(c.map((x) => x.value)).toEqual([0.625, 0.75, 1]);
    // after: v1 4/4, v2 2/4 -> pass@1 = 0.75, which the model before reaches at k = 2
    expect(matchingK(r, 'grpo')).toBe(2);
  });

  it('assigns each train question to its bucket and splits the train gain among them', () => {
    expect(Object.fromEntries(trainBuckets(r))).toEqual({
      a: 'never',
      b: 'sometimes',
      c: 'greedy-correct',
      d: 'mostly',
    });
    const rows = Object.fromEntries(bucketGains(r, 'grpo').map((x) => [x.bucket, x]));
    // a, b wrong -> right (+2), c right -> wrong (-1): total +1
    expect(rows['never']).toMatchObject({ netGain: 1, shareOfGain: 1, share: 0.25 });
    expect(rows['sometimes']).toMatchObject({ netGain: 1, shareOfGain: 1 });
    expect(rows['greedy-correct']).toMatchObject({ netGain: -1, shareOfGain: -1 });
    expect(rows['mostly']!.netGain).toBe(0);
  });

  it('attributes the held-out gain of bucket-alone runs with shares summing to 1', () => {
    expect(heldOutAccuracy(beforeOf(r))).toBe(0.5);
    const a = attribution(r);
    expect(a.allGain).toBeCloseTo(0.25, 12);
    const by = Object.fromEntries(a.rows.map((x) => [x.bucket, x]));
    expect(by['never']!.gain).toBeCloseTo(0.25, 12);
    expect(by['greedy-correct']!.gain).toBeCloseTo(-0.25, 12);
    expect(a.sumOfGains).toBeCloseTo(0.25, 12);
    expect(by['never']!.share).toBeCloseTo(1, 12);
    expect(by['mostly']!.ofAll).toBeCloseTo(1, 12);
    expect(a.rows.reduce((s, x) => s + x.share, 0)).toBeCloseTo(1, 12);
  });

  it('takes the all-questions gain from the attribution’s own run on all questions when it has one', () => {
    const withAll = compareFixture();
    const budget = { questionsSeen: 8, samplesDrawn: 32, gradientSteps: 2 };
    withAll.attribution!.runs.push({
      bucket: 'all',
      questions: 4,
      steps: 2,
      budget,
      val: 1,
      test: 1,
    });
    const a = attribution(withAll);
    expect(a.allGain).toBeCloseTo(0.5, 12); // 1.0 - 0.5, not the recipe's 0.25
    expect(a.rows.map((x) => x.bucket)).not.toContain('all');
    expect(a.additivity).toBeCloseTo(0.5, 12); // buckets sum to 0.25 of the 0.5
  });

  it('counts greedy transitions, telling a changed wrong answer from the same one', () => {
    expect(transitions(beforeOf(r), afterOf(r, 'grpo'), 'train')).toEqual({
      split: 'train',
      questions: 4,
      rightToRight: 0,
      wrongToRight: 2,
      rightToWrong: 1,
      wrongSame: 1, // d: Lima -> Lima
      wrongChanged: 0,
      unscored: 0,
    });
    expect(transitions(beforeOf(r), afterOf(r, 'grpo'), 'val')).toMatchObject({
      wrongToRight: 1,
      rightToWrong: 1,
    });
  });

  it('separates held-out questions whose gold is the popular value', () => {
    const [popular, other] = popularSideEffect(r, 'grpo');
    // popular: v2 (0.6 -> 0.3), t2 (0.5 -> 0.2); val greedy v2 1 -> 0
    expect(popular).toMatchObject({
      goldIsPopular: true,
      questions: 2,
      valGreedyBefore: 1,
      valGreedyAfter: 0,
    });
    expect(popular!.goldBefore).toBeCloseTo(0.55, 12);
    expect(popular!.goldAfter).toBeCloseTo(0.25, 12);
    expect(other).toMatchObject({
      goldIsPopular: false,
      questions: 2,
      valGreedyBefore: 0,
      valGreedyAfter: 1,
    });
  });

  it('gives mean and sample sd over seeds', () => {
    expect(meanSd([0.1, 0.3])).toEqual({ mean: 0.2, sd: Math.sqrt(0.02) });
    expect(Number.isNaN(meanSd([0.4]).sd)).toBe(true);
  });

  it('answers an unknown analysis, a missing recipe and a missing part with coded errors', async () => {
    expect(() => analyze('nope', r)).toThrow(
      expect.objectContaining({ code: 'FR_ERR_TRAIN_ANALYSIS_UNKNOWN' }),
    );
    expect(() => afterOf(r, 'sft')).toThrow(
      expect.objectContaining({ code: 'FR_ERR_TRAIN_RUN_UNREADABLE' }),
    );
    const { attribution: _a, ...noAttr } = r;
    expect(() => attribution(noAttr)).toThrow(
      expect.objectContaining({ code: 'FR_ERR_TRAIN_RUN_UNREADABLE' }),
    );
    const dir = await mkdtemp(join(tmpdir(), 'fr-cmp-'));
    await expect(readCompareResults(dir)).rejects.toMatchObject({
      code: 'FR_ERR_TRAIN_RUN_UNREADABLE',
    });
  });

  it('writes a report with the main table, the analyses and four SVG plots', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fr-report-'));
    const paths = await writeComparisonReport([r, compareFixture(1)], join(dir, 'cmp.md'), {
      commands: ['echo hi'],
    });
    expect(paths.map((p) => p.slice(dir.length + 1))).toEqual([
      'cmp.md',
      'cmp-accuracy.svg',
      'cmp-passk.svg',
      'cmp-buckets.svg',
      'cmp-pgold.svg',
    ]);
    const md = await readFile(join(dir, 'cmp.md'), 'utf8');
    expect(md).toContain('| GRPO (RL) | 2 | 50.0% ± 0.0 | 100.0% ± 0.0 | +100.0% | 8 / 32 / 2 |');
    expect(md).toContain('| maj@4 (test-time, no training) |');
    expect(md).toContain('![pass@k](cmp-passk.svg)');
    for (const p of paths.slice(1))
      expect(await readFile(p, 'utf8')).toMatch(/^<svg[\s\S]*<title>/);
    for (const what of ['passk', 'buckets', 'attribution', 'pgold', 'transitions'])
      expect(analyze(what, r).markdown.join('\n')).toContain('|');
  });
});
