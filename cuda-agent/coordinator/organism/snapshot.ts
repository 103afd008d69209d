/**
 * Everything the comparison analyses need about one model (before training, or after a
 * recipe), per question: greedy answers and rewards on every split (test: the server's
 * aggregate only, per-question rewards withheld), correct counts of n samples on the sampled
 * splits (pass@k, accessibility buckets), P(gold) (teacher-forced, best alias) and P(popular
 * value) for every FactWorld group, and maj@k on the held-out splits.
 */
import type { World } from '../../../env/datasets/factworld/index.ts';
import { normalizeAnswer } from '../../../judges/normalize.ts';
import { scoreGold } from '../analysis/gold-prob.ts';
import { majorityEval } from '../recipes/majority-vote.ts';
import type { EnvConnections } from '../training/env-connection.ts';
import { greedyEval, sampledCounts } from '../training/evaluate.ts';
import type { WorkerClient } from '../worker-client.ts';
import type { GenerateParams } from '../worker-types.ts';
import { goldItems, workerScorer } from './gold-analysis.ts';

export interface GreedySnapshot {
  questions: number;
  accuracy: number;
  masked: number;
  /** questionId -> [answer, reward] (reward null on test: withheld by the eval role). */
  answers: Record<string, [string, 0 | 1 | null]>;
}

export interface Snapshot {
  greedy: Record<'train' | 'val' | 'test', GreedySnapshot>;
  /** split -> n samples and questionId -> correct of n (judge failures lower n: `scored`). */
  sampled: Record<string, { samples: number; correct: Record<string, [number, number]> }>;
  /** questionId -> P(gold), P(popular value). */
  gold: Record<string, [number, number]>;
  majority?: Record<string, { k: number; accuracy: number; questions: number }>;
}

export interface SnapshotPlan {
  maxNewTokens: number;
  sampling: Omit<GenerateParams, 'prompts' | 'n' | 'greedy'>;
  /** Splits sampled n times per question (all their questions). */
  sampledSplits: readonly ('train' | 'val')[];
  samples: number;
  /** maj@k with this k on val and test; 0 = skip. */
  majorityK: number;
  seed: number;
}

export async function takeSnapshot(
  conn: EnvConnections,
  worker: WorkerClient,
  world: World,
  plan: SnapshotPlan,
): Promise<Snapshot> {
  const gen = (p: GenerateParams) => worker.generate({ seed: plan.seed, ...p });
  const greedy = {} as Snapshot['greedy'];
  for (const split of ['train', 'val', 'test'] as const) {
    const ev = await greedyEval(conn, gen, split, { maxNewTokens: plan.maxNewTokens });
    greedy[split] = {
      questions: ev.questions,
      accuracy: ev.accuracy,
      masked: ev.masked,
      answers: Object.fromEntries(ev.answers.map((a) => [a.questionId, [a.answer, a.reward]])),
    };
  }
  const sampled: Snapshot['sampled'] = {};
  for (const split of plan.sampledSplits) {
    const s = await sampledCounts(conn, gen, split, {
      questions: Number.MAX_SAFE_INTEGER,
      samples: plan.samples,
      sampling: { ...plan.sampling, seed: plan.seed },
    });
    sampled[split] = {
      samples: s.samples,
      correct: Object.fromEntries(s.perQuestion.map((q) => [q.questionId, [q.correct, q.scored]])),
    };
  }
  const items = goldItems(world);
  const scores = await scoreGold(items, workerScorer(worker));
  const gold = Object.fromEntries(scores.map((s) => [s.questionId, [s.gold, s.popular]])) as Record<
    string,
    [number, number]
  >;
  const snap: Snapshot = { greedy, sampled, gold };
  if (plan.majorityK > 0) {
    snap.majority = {};
    for (const split of ['val', 'test'] as const) {
      const m = await majorityEval(conn, gen, split, {
        k: plan.majorityK,
        sampling: { ...plan.sampling, seed: plan.seed },
      });
      snap.majority[split] = { k: m.k, accuracy: m.accuracy, questions: m.questions };
    }
  }
  return snap;
}

/** Per question of the world's train, val and test people: split, gold and popular value. */
export function questionTable(world: World) {
  return goldItems(world)
    .filter((q) => q.group !== 'qa')
    .map((q) => ({
      id: q.questionId,
      split: q.group,
      gold: q.gold,
      popular: q.popular,
      goldIsPopular: normalizeAnswer(q.gold) === normalizeAnswer(q.popular),
    }));
}
