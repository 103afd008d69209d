/**
 * Evaluation through the protocol, on a fresh env session each time (so every evaluation of a
 * split sees the same questions, the first N of its seeded epoch-0 order):
 * - greedy accuracy (argmax decoding, one answer per question), on any split; on `test` the
 *   server's own aggregate (eval role);
 * - sampled correct counts (n answers per question at the training temperature), for pass@k
 *   and accessibility buckets, on train and val.
 */
import type { RemoteEnv } from '../../../protocol/client/remote-env.ts';
import type { GenerateParams } from '../worker-types.ts';
import type { EnvConnections } from './env-connection.ts';
import { type Generate, type RolloutGroup, rolloutSplit } from './rollout.ts';

/** Most episodes in one reset or step (the protocol's default maxBatchEpisodes). */
const MAX_BATCH_EPISODES = 4096;

export interface GreedyAnswer {
  questionId: string;
  question: string;
  answer: string;
  /** Null on the test split (withheld) or when the judge failed. */
  reward: 0 | 1 | null;
}

export interface GreedyEval {
  split: 'train' | 'val' | 'test';
  questions: number;
  accuracy: number;
  /** Answers whose judge failed (not counted in the accuracy). */
  masked: number;
  answers: GreedyAnswer[];
}

export interface SampledCounts {
  split: 'train' | 'val';
  samples: number;
  perQuestion: {
    questionId: string;
    question: string;
    correct: number;
    scored: number;
    answers: string[];
  }[];
}

async function questionsIn(
  env: RemoteEnv,
  split: string,
  max: number | undefined,
): Promise<number> {
  const size = env.spec().splits[split as 'train'] ?? 0;
  return max === undefined ? size : Math.min(size, max);
}

/** Rollout of `questions` questions, n answers each, in resets of at most MAX_BATCH_EPISODES. */
function rollout(
  env: RemoteEnv,
  split: 'train' | 'val' | 'test',
  questions: number,
  n: number,
  generate: Generate,
  sampling: Omit<GenerateParams, 'prompts' | 'n'>,
): Promise<RolloutGroup[]> {
  const perReset = Math.max(1, Math.floor(MAX_BATCH_EPISODES / n));
  return rolloutSplit(env, { split, questions, groupSize: n, perReset }, generate, sampling);
}

/** Greedy accuracy on the first `maxQuestions` questions of `split` (all when absent). */
export async function greedyEval(
  conn: EnvConnections,
  generate: Generate,
  split: 'train' | 'val' | 'test',
  opts: { maxQuestions?: number; maxNewTokens: number; make?: Record<string, unknown> },
): Promise<GreedyEval> {
  // `make` adds env options for this evaluation only (e.g. another judge: {judge: 'exact'}).
  const env = await conn.make(split === 'test' ? 'eval' : 'policy', opts.make);
  try {
    const n = await questionsIn(env, split, opts.maxQuestions);
    const groups = await rollout(env, split, n, 1, generate, {
      greedy: true,
      max_new_tokens: opts.maxNewTokens,
    });
    const answers = groups.map((g) => ({
      questionId: g.questionId,
      question: g.question,
      answer: g.samples[0]!.text,
      reward: g.samples[0]!.reward,
    }));
    if (split === 'test') {
      const summary = await env.closeWithSummary();
      const counts = summary?.counts;
      const scored = counts?.scored ?? 0;
      return {
        split,
        questions: n,
        accuracy: scored ? (counts?.rewardSum ?? 0) / scored : Number.NaN,
        masked: counts?.judgeFailed ?? 0,
        answers,
      };
    }
    const scored = answers.filter((a) => a.reward !== null);
    return {
      split,
      questions: n,
      accuracy: scored.length
        ? scored.filter((a) => a.reward === 1).length / scored.length
        : Number.NaN,
      masked: answers.length - scored.length,
      answers,
    };
  } finally {
    await env.close().catch(() => undefined);
  }
}

/** n sampled answers per question on the first `questions` of `split`, with correct counts. */
export async function sampledCounts(
  conn: EnvConnections,
  generate: Generate,
  split: 'train' | 'val',
  opts: { questions: number; samples: number; sampling: Omit<GenerateParams, 'prompts' | 'n'> },
): Promise<SampledCounts> {
  const env = await conn.make('policy');
  try {
    const q = await questionsIn(env, split, opts.questions);
    const groups = await rollout(env, split, q, opts.samples, generate, opts.sampling);
    return {
      split,
      samples: opts.samples,
      perQuestion: groups.map((g) => ({
        questionId: g.questionId,
        question: g.question,
        correct: g.samples.filter((s) => s.reward === 1).length,
        scored: g.samples.filter((s) => s.reward !== null).length,
        answers: g.samples.map((s) => s.extracted),
      })),
    };
  } finally {
    await env.close().catch(() => undefined);
  }
}
