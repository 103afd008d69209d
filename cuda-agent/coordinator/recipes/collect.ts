/**
 * What RFT and DPO learn from: one pass over the train split through the env (policy role),
 * n answers per question sampled from the current policy, each judged by the env's judge.
 * Judge failures (reward null) are neither kept nor paired: no verdict is read as 0.
 */
import type { RemoteEnv } from '../../../protocol/client/remote-env.ts';
import { type Generate, type RolloutGroup, rolloutSplit } from '../training/rollout.ts';
import type { GenerateParams } from '../worker-types.ts';

export type Sampling = Omit<GenerateParams, 'prompts' | 'n' | 'greedy'>;

/** One pass (the env's next epoch) over `splitSize` train questions, n samples each. */
export function sampleTrainSplit(
  env: RemoteEnv,
  generate: Generate,
  opts: { splitSize: number; samples: number; questionsPerReset: number; sampling: Sampling },
): Promise<RolloutGroup[]> {
  return rolloutSplit(
    env,
    {
      split: 'train',
      questions: opts.splitSize,
      groupSize: opts.samples,
      perReset: opts.questionsPerReset,
    },
    generate,
    opts.sampling,
  );
}

/** The judged-correct samples of each group, one per distinct extracted answer. */
export function keptCorrect(groups: readonly RolloutGroup[]) {
  return groups.flatMap((g) => {
    const seen = new Set<string>();
    return g.samples
      .filter((s) => s.reward === 1 && !seen.has(s.extracted) && seen.add(s.extracted))
      .map((s) => ({ promptIds: g.promptIds, tokenIds: s.tokenIds }));
  });
}

export interface PreferencePair {
  promptIds: number[];
  chosen: number[];
  rejected: number[];
}

/**
 * Up to `perQuestion` (correct, incorrect) pairs per group: distinct correct answers matched in
 * order with distinct incorrect ones. Groups with no correct or no incorrect answer give none.
 */
export function preferencePairs(
  groups: readonly RolloutGroup[],
  perQuestion: number,
): PreferencePair[] {
  return groups.flatMap((g) => {
    const distinct = (reward: 0 | 1) => {
      const seen = new Set<string>();
      return g.samples.filter(
        (s) =>
          s.reward === reward &&
          s.tokenIds.length > 0 &&
          !seen.has(s.extracted) &&
          seen.add(s.extracted),
      );
    };
    const good = distinct(1);
    const bad = distinct(0);
    const n = Math.min(perQuestion, good.length, bad.length);
    return Array.from({ length: n }, (_, i) => ({
      promptIds: g.promptIds,
      chosen: good[i]!.tokenIds,
      rejected: bad[i]!.tokenIds,
    }));
  });
}
