/**
 * The Judge contract: a batch of items in, one verdict per item out, in order.
 * Rewards follow the reward-function contract: 1 correct, 0 incorrect or not attempted,
 * null when the judge could not decide (a failure), which callers must never read as 0.
 */

/** What a judge can say of a prediction. The env, the wire and the leaderboard use these. */
export const VERDICT_LABELS = ['correct', 'incorrect', 'not_attempted'] as const;
export type VerdictLabel = (typeof VERDICT_LABELS)[number];

export interface JudgeItem {
  question: string;
  /** Gold answer and its aliases; correct if the prediction matches any. */
  answers: readonly string[];
  /** The extracted answer to grade. */
  prediction: string;
}

export interface Verdict {
  verdict: VerdictLabel | null;
  reward: 0 | 1 | null;
  status: 'ok' | 'judge_failed';
  judgeId: string;
  cached: boolean;
  latencyMs: number;
  /** Present when status is judge_failed. */
  error?: { code: string; message: string };
  /** Optional short explanation (LLM judges, contains, panel). */
  reasoning?: string;
  /** Panel judges: how many members gave each label, and how many failed. */
  votes?: Record<VerdictLabel | 'failed', number>;
  /** Panel judges: true when the top labels tied and the tie rule decided. */
  tie?: boolean;
}

export interface Judge {
  /** Short name: exact, contains, llm, panel. */
  readonly id: string;
  /** Hash of everything that can change a verdict (model, prompt version, settings). */
  readonly fingerprint: string;
  judge(items: readonly JudgeItem[], opts?: { signal?: AbortSignal }): Promise<Verdict[]>;
  close?(): Promise<void>;
}

/** Reward for a verdict: binary correctness. */
export function rewardOf(verdict: VerdictLabel | null): 0 | 1 | null {
  if (verdict === null) return null;
  return verdict === 'correct' ? 1 : 0;
}
