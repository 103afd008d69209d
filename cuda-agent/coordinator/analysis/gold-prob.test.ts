import { describe, expect, it } from 'vitest';
import {
  type GoldItem,
  goldProbRows,
  median,
  type ScoreTexts,
  scoreGold,
  sequenceProbability,
} from './gold-prob.ts';

const score = (questionId: string, gold: number, popular = 0) => ({ questionId, gold, popular });

describe('the probability of the gold answer', () => {
  it('is exp of the summed token log-probs (answer tokens and the stop token)', () => {
    expect(sequenceProbability([Math.log(0.5), Math.log(0.5)])).toBeCloseTo(0.25, 12);
    expect(sequenceProbability([Math.log(0.8), Math.log(0.5), Math.log(0.25)])).toBeCloseTo(
      0.1,
      12,
    );
    expect(sequenceProbability([])).toBe(1);
  });

  it('takes the median as the middle value, or the mean of the middle two', () => {
    expect(median([0.3, 0.1, 0.2])).toBe(0.2);
    expect(median([0.4, 0.1, 0.2, 0.3])).toBeCloseTo(0.25, 12);
    expect(median([])).toBeNaN();
  });

  it('scores gold and popular answers of every item in batches, keeping them apart', async () => {
    const items: GoldItem[] = [
      { questionId: 'a', prompt: 'Q: a? A:', gold: 'Paris', popular: 'Rome' },
      { questionId: 'b', prompt: 'Q: b? A:', gold: 'Lima', popular: 'Rome' },
      { questionId: 'c', prompt: 'Q: c? A:', gold: 'Rome', popular: 'Rome' },
    ];
    // A fake model: log p = ln 0.5 per token of the answer word, then ln 0.8 for the stop token;
    // "Rome" gets ln 0.9 instead of ln 0.5.
    const calls: number[] = [];
    const fake: ScoreTexts = async (prompts, completions) => {
      calls.push(prompts.length);
      expect(prompts.length).toBe(completions.length);
      return completions.map((c) => [Math.log(c === 'Rome' ? 0.9 : 0.5), Math.log(0.8)]);
    };
    const scores = await scoreGold(items, fake, 4);
    expect(calls).toEqual([4, 2]);
    expect(scores.map((s) => s.questionId)).toEqual(['a', 'b', 'c']);
    expect(scores[0]!.gold).toBeCloseTo(0.4, 12);
    expect(scores[0]!.popular).toBeCloseTo(0.72, 12);
    expect(scores[2]!.gold).toBeCloseTo(0.72, 12);
  });

  it('gives one row per split and bucket with mean and median before and after', () => {
    const rows = goldProbRows([
      { split: 'train', before: score('a', 0.1, 0.5), after: score('a', 0.5, 0.1) },
      { split: 'train', before: score('b', 0.2, 0.7), after: score('b', 0.9, 0.0) },
      { split: 'train', before: score('c', 0.6, 0.3), after: score('c', 0.7, 0.2) },
      { split: 'val', before: score('d', 0.05), after: score('d', 0.15) },
      { split: 'train', bucket: 'never', before: score('a', 0.1), after: score('a', 0.5) },
    ]);
    expect(rows.map((r) => [r.split, r.bucket, r.questions])).toEqual([
      ['train', undefined, 3],
      ['val', undefined, 1],
      ['train', 'never', 1],
    ]);
    const train = rows[0]!;
    expect(train.before).toBeCloseTo(0.3, 12);
    expect(train.after).toBeCloseTo(0.7, 12);
    expect(train.medianBefore).toBe(0.2);
    expect(train.medianAfter).toBe(0.7);
    expect(train.popularBefore).toBeCloseTo(0.5, 12);
    expect(train.popularAfter).toBeCloseTo(0.1, 12);
    expect(rows[1]!.before).toBe(0.05);
    expect(rows[1]!.medianAfter).toBe(0.15);
  });
});
