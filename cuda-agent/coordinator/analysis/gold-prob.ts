/**
 * Probability of the gold answer before and after RL (DESIGN section 7): for each question, the
 * probability the policy gives to answering exactly the gold answer and stopping, i.e.
 * exp(sum of the log-probs of the gold answer's tokens and the stop token) after the question
 * prompt. Greedy accuracy says whether the gold answer is the argmax; this says how much mass
 * it has, so it shows a fact becoming more (or less) accessible before the argmax flips. The
 * same for the attribute's popular value shows the habit RL is meant to remove.
 */
import type { GoldProbRow } from './report.ts';

/** One question to score: the prompt and the two answers whose probability is measured. */
export interface GoldItem {
  questionId: string;
  prompt: string;
  gold: string;
  /** The attribute's popular value (FactWorld); equal to `gold` for some questions. */
  popular: string;
}

/** Probabilities of one question's answers under one policy. */
export interface GoldScore {
  questionId: string;
  gold: number;
  popular: number;
}

/**
 * Per-token log-probs of text completions after text prompts, each completion followed by the
 * stop token (the worker's `logprobs` with `append_eos`).
 */
export type ScoreTexts = (
  prompts: readonly string[],
  completions: readonly string[],
) => Promise<number[][]>;

/** The probability of a whole sequence from its per-token log-probs: exp(Σ log p). */
export function sequenceProbability(logprobs: readonly number[]): number {
  return Math.exp(logprobs.reduce((a, x) => a + x, 0));
}

/** The median (mean of the middle two for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const mean = (xs: readonly number[]) =>
  xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : Number.NaN;

/** Scores every item's gold and popular answer, `batchSize` sequences per worker call. */
export async function scoreGold(
  items: readonly GoldItem[],
  score: ScoreTexts,
  batchSize = 512,
): Promise<GoldScore[]> {
  const prompts = items.flatMap((q) => [q.prompt, q.prompt]);
  const completions = items.flatMap((q) => [q.gold, q.popular]);
  const probs: number[] = [];
  for (let i = 0; i < prompts.length; i += batchSize) {
    const lp = await score(prompts.slice(i, i + batchSize), completions.slice(i, i + batchSize));
    probs.push(...lp.map(sequenceProbability));
  }
  return items.map((q, i) => ({
    questionId: q.questionId,
    gold: probs[2 * i]!,
    popular: probs[2 * i + 1]!,
  }));
}

/** A question's scores before and after RL, with the row it counts in. */
export interface LabelledGoldScores {
  split: string;
  bucket?: string;
  before: GoldScore;
  after: GoldScore;
}

/** One report row per (split, bucket), in first-seen order: mean and median P(gold), mean P(popular). */
export function goldProbRows(scores: readonly LabelledGoldScores[]): GoldProbRow[] {
  const groups = new Map<string, LabelledGoldScores[]>();
  for (const s of scores) {
    const key = `${s.split}\u0000${s.bucket ?? ''}`;
    const g = groups.get(key) ?? [];
    g.push(s);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
    const first = g[0]!;
    const gold = (w: 'before' | 'after') => g.map((s) => s[w].gold);
    const popular = (w: 'before' | 'after') => g.map((s) => s[w].popular);
    return {
      split: first.split,
      ...(first.bucket !== undefined ? { bucket: first.bucket } : {}),
      questions: g.length,
      before: mean(gold('before')),
      after: mean(gold('after')),
      medianBefore: median(gold('before')),
      medianAfter: median(gold('after')),
      popularBefore: mean(popular('before')),
      popularAfter: mean(popular('after')),
    };
  });
}
