/**
 * A hand-made comparison result (`factrecall compare`'s results.json) small enough to check
 * every analysis by hand: 4 train questions, 2 val, 2 test; 4 samples per question.
 */
import type { CompareResults } from '../../cuda-agent/coordinator/organism/compare-run.ts';
import type { Snapshot } from '../../cuda-agent/coordinator/organism/snapshot.ts';

const q = (id: string, split: 'train' | 'val' | 'test', gold: string, popular: string) => ({
  id,
  split,
  gold,
  popular,
  goldIsPopular: gold === popular,
});

function snap(
  train: Record<string, [string, 0 | 1]>,
  val: Record<string, [string, 0 | 1]>,
  sampled: Snapshot['sampled'],
  gold: Record<string, [number, number]>,
  testAccuracy: number,
): Snapshot {
  const acc = (a: Record<string, [string, 0 | 1]>) =>
    Object.values(a).filter((x) => x[1] === 1).length / Object.keys(a).length;
  return {
    greedy: {
      train: { questions: 4, accuracy: acc(train), masked: 0, answers: train },
      val: { questions: 2, accuracy: acc(val), masked: 0, answers: val },
      test: {
        questions: 2,
        accuracy: testAccuracy,
        masked: 0,
        answers: { t1: ['x', null], t2: ['y', null] },
      },
    },
    sampled,
    gold,
  };
}

export function compareFixture(seed = 0): CompareResults {
  const before = snap(
    { a: ['Rome', 0], b: ['Rome', 0], c: ['Oslo', 1], d: ['Lima', 0] },
    { v1: ['Rome', 0], v2: ['Rome', 1] },
    {
      // a: never (0/4), b: sometimes (2/4), c: greedy-correct, d: mostly (3/4)
      train: { samples: 4, correct: { a: [0, 4], b: [2, 4], c: [4, 4], d: [3, 4] } },
      val: { samples: 4, correct: { v1: [1, 4], v2: [4, 4] } },
    },
    {
      a: [0.01, 0.5],
      b: [0.2, 0.5],
      c: [0.6, 0.1],
      d: [0.3, 0.4],
      v1: [0.1, 0.6],
      v2: [0.6, 0.6],
      t1: [0.05, 0.5],
      t2: [0.5, 0.5],
    },
    0.5,
  );
  before.majority = {
    val: { k: 4, accuracy: 0.5, questions: 2 },
    test: { k: 4, accuracy: 0.5, questions: 2 },
  };
  const grpo = snap(
    { a: ['Cairo', 1], b: ['Paris', 1], c: ['Rome', 0], d: ['Lima', 0] },
    { v1: ['Quito', 1], v2: ['Bern', 0] },
    { val: { samples: 4, correct: { v1: [4, 4], v2: [2, 4] } } },
    {
      a: [0.7, 0.1],
      b: [0.8, 0.1],
      c: [0.3, 0.3],
      d: [0.3, 0.3],
      v1: [0.9, 0.05],
      v2: [0.3, 0.3],
      t1: [0.6, 0.1],
      t2: [0.2, 0.2],
    },
    1,
  );
  const budget = { questionsSeen: 8, samplesDrawn: 32, gradientSteps: 2 };
  return {
    version: 1,
    worldSeed: seed,
    setup: {},
    questions: [
      q('a', 'train', 'Cairo', 'Rome'),
      q('b', 'train', 'Paris', 'Rome'),
      q('c', 'train', 'Oslo', 'Rome'),
      q('d', 'train', 'Bern', 'Lima'),
      q('v1', 'val', 'Quito', 'Rome'),
      q('v2', 'val', 'Rome', 'Rome'),
      q('t1', 'test', 'Lima', 'Rome'),
      q('t2', 'test', 'Rome', 'Rome'),
    ],
    plan: {
      maxNewTokens: 8,
      sampling: {},
      sampledSplits: ['train', 'val'],
      samples: 4,
      majorityK: 4,
      seed: 1,
    },
    before,
    recipes: { grpo: { budget, after: grpo, rounds: [], seconds: 1 } },
    attribution: {
      bucketOf: { a: 'never', b: 'sometimes', c: 'greedy-correct', d: 'mostly' },
      runs: [
        // held-out before = (0.5 * 2 + 0.5 * 2) / 4 = 0.5; all-questions GRPO after = (0.5 * 2 + 1 * 2) / 4 = 0.75
        { bucket: 'never', questions: 1, steps: 2, budget, val: 1, test: 0.5 }, // 0.75 -> +0.25
        { bucket: 'sometimes', questions: 1, steps: 2, budget, val: 0.5, test: 0.5 }, // +0
        { bucket: 'mostly', questions: 1, steps: 2, budget, val: 0.5, test: 1 }, // +0.25
        { bucket: 'greedy-correct', questions: 1, steps: 2, budget, val: 0, test: 0.5 }, // -0.25
      ],
    },
    complete: true,
  };
}
