/**
 * The gold-probability analysis on the FactWorld organism. The organism generated the world, so
 * it knows every person's facts and scores the gold answers of all groups locally, through the
 * worker's `logprobs` (a model analysis: no env call, no gold answer leaves any server), at
 * temperature 1 (the policy's own distribution). Rows: per group of people, then per
 * accessibility bucket (before RL) of the questions sampled for pass@k.
 */
import {
  formatQuestionPrompt,
  groupQuestions,
  type World,
} from '../../../env/datasets/factworld/index.ts';
import { ACCESS_BUCKETS, accessBucket } from '../analysis/access-buckets.ts';
import {
  type GoldItem,
  type GoldScore,
  goldProbRows,
  type LabelledGoldScores,
  type ScoreTexts,
} from '../analysis/gold-prob.ts';
import type { GoldProbRow } from '../analysis/report.ts';
import type { SampledCounts } from '../training/evaluate.ts';
import type { WorkerClient } from '../worker-client.ts';

/** The groups scored: the RL-training people, the held-out people, and the QA-text people. */
export const GOLD_GROUPS = ['train', 'val', 'test', 'qa'] as const;

export interface GroupedGoldItem extends GoldItem {
  group: (typeof GOLD_GROUPS)[number];
}

/** Every question of every scored group, with its gold answer and the popular value. */
export function goldItems(world: World): GroupedGoldItem[] {
  return GOLD_GROUPS.flatMap((group) =>
    groupQuestions(world, group).map((q) => ({
      group,
      questionId: q.id,
      prompt: formatQuestionPrompt(q.question),
      gold: q.answers[0]!,
      popular: String(q.meta['popularValue']),
    })),
  );
}

/** Log-probs of text answers followed by <eos> (the end of every pretraining document), T = 1. */
export function workerScorer(worker: WorkerClient): ScoreTexts {
  return async (prompts, completions) =>
    (
      await worker.logprobs({
        prompts,
        completions,
        append_eos: true,
        reference: false,
        temperature: 1,
      })
    ).policy;
}

/**
 * Rows per group, then per (split, bucket) for the splits sampled before RL (bucket of each
 * question from its correct samples before RL).
 */
export function goldRowsFor(
  items: readonly GroupedGoldItem[],
  before: readonly GoldScore[],
  after: readonly GoldScore[],
  sampledBefore: Readonly<Record<string, SampledCounts>>,
  /** Whether the greedy answer before RL was right (split, question id): the greedy-correct bucket. */
  greedyBefore: (split: string, questionId: string) => boolean,
): GoldProbRow[] {
  const labelled: LabelledGoldScores[] = items.map((q, i) => ({
    split: q.group,
    before: before[i]!,
    after: after[i]!,
  }));
  const index = new Map(items.map((q, i) => [q.questionId, i]));
  const byBucket: LabelledGoldScores[] = [];
  for (const [split, sampled] of Object.entries(sampledBefore)) {
    const bucketed = sampled.perQuestion
      .filter((q) => q.scored > 0 && index.has(q.questionId))
      .map((q) => ({
        i: index.get(q.questionId)!,
        bucket: accessBucket(q.correct, q.scored, greedyBefore(split, q.questionId)),
      }));
    for (const bucket of ACCESS_BUCKETS)
      for (const q of bucketed.filter((x) => x.bucket === bucket))
        byBucket.push({ split, bucket, before: before[q.i]!, after: after[q.i]! });
  }
  return goldProbRows([...labelled, ...byBucket]);
}
