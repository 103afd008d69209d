import { describe, expect, it } from 'vitest';
import type { RolloutGroup } from '../training/rollout.ts';
import { grpoBudget } from './budget.ts';
import { keptCorrect, preferencePairs } from './collect.ts';
import { majorityIndex } from './majority-vote.ts';
import { parseRecipeList, parseRecipesConfig } from './recipe-config.ts';

const group = (samples: [string, 0 | 1 | null][]): RolloutGroup => ({
  groupId: 'g',
  questionId: 'q',
  question: 'Where?',
  promptIds: [1, 2],
  samples: samples.map(([text, reward], i) => ({
    episodeId: `e${i}`,
    tokenIds: [10 + i],
    logprobs: [-1],
    text,
    reward,
    extracted: text,
  })),
});

describe('what RFT keeps and DPO pairs', () => {
  it('keeps each distinct judged-correct answer once and never a judge failure', () => {
    const g = group([
      ['Paris', 1],
      ['Paris', 1],
      ['Lyon', 0],
      ['Nice', null],
      ['Paris ', 1],
    ]);
    expect(keptCorrect([g])).toEqual([
      { promptIds: [1, 2], tokenIds: [10] },
      { promptIds: [1, 2], tokenIds: [14] }, // 'Paris ' is another extracted text
    ]);
  });

  it('pairs distinct correct with distinct incorrect answers, at most k per question, none from failures', () => {
    const g = group([
      ['Lyon', 0],
      ['Paris', 1],
      ['Lyon', 0],
      ['Nice', 0],
      ['Rome', null],
    ]);
    expect(preferencePairs([g], 2)).toEqual([{ promptIds: [1, 2], chosen: [11], rejected: [10] }]);
    const two = group([
      ['A', 1],
      ['B', 1],
      ['C', 0],
      ['D', 0],
      ['E', 0],
    ]);
    expect(preferencePairs([two], 2).map((p) => [p.chosen[0], p.rejected[0]])).toEqual([
      [10, 12],
      [11, 13],
    ]);
    expect(preferencePairs([group([['A', 1]])], 2)).toEqual([]);
  });
});

describe('maj@k', () => {
  it('picks the most frequent normalised answer, ties to the first seen, empties not voting', () => {
    expect(majorityIndex(['Rome', 'paris', 'Paris.', 'rome', 'PARIS'])).toBe(1);
    expect(majorityIndex(['Oslo', 'Lima', 'lima', 'oslo'])).toBe(0);
    expect(majorityIndex(['', ' ', 'Lima'])).toBe(2);
    expect(majorityIndex(['', ''])).toBe(-1);
  });
});

describe('recipe names, configs and budgets', () => {
  it('documents defaults, refuses unknown keys and unknown recipes with coded errors', () => {
    const c = parseRecipesConfig({});
    expect(c.dpo.beta).toBe(0.1);
    expect(c.sft.epochs * Math.ceil(400 / c.sft.questionsPerBatch)).toBe(104); // GRPO demo's steps
    expect(() => parseRecipesConfig({ sft: { lr: -1 } })).toThrow(
      expect.objectContaining({ code: 'FR_ERR_TRAIN_CONFIG_INVALID' }),
    );
    expect(() => parseRecipesConfig({ ppo: {} })).toThrow(/recipes/);
    expect(parseRecipeList('sft, grpo,sft')).toEqual(['sft', 'grpo']);
    expect(() => parseRecipeList('grpo,ppo')).toThrow(
      expect.objectContaining({ code: 'FR_ERR_TRAIN_RECIPE_UNKNOWN' }),
    );
  });

  it('counts GRPO’s budget from its step metrics', () => {
    const step = { questions: 32, samples: 160 } as Parameters<typeof grpoBudget>[0][0];
    expect(grpoBudget([step, step, { ...step, questions: 16, samples: 80 }], 1)).toEqual({
      questionsSeen: 80,
      samplesDrawn: 400,
      gradientSteps: 3,
    });
  });
});
