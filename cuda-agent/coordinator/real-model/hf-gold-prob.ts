/**
 * P(gold) on a real model's held-out questions (issue 15, item 2, for `compare --model`): for
 * each val question, the probability of answering exactly a gold alias and stopping, under the
 * trained policy (after) and under the worker's frozen reference, which is the starting model
 * (before). One worker call per batch gives both, so every recipe's row has its own before from
 * the same starting weights, and the two are read on the same token path.
 *
 * Best alias: a TriviaQA question has many aliases ("Blackhead", "Blackheads", "Comedo", ...),
 * and a model that knows the fact puts its mass on one of them; P(gold) is the largest
 * alias probability, taken for each model apart. The aliases scored are the payable ones
 * (judges/restated.ts): an alias the question spells out is cheap to copy and would measure
 * copying, not recall, exactly as the judges refuse to pay it.
 *
 * The prompt is the env's own rendering of the question (renderPrompt with the run's prompt),
 * sent as chat messages, so the worker applies the model's chat template as for generation.
 */
import { renderPrompt } from '../../../env/prompts.ts';
import type { PromptName, SplitSource } from '../../../env/types.ts';
import { payableAnswers } from '../../../judges/restated.ts';
import { median } from '../analysis/gold-prob.ts';
import type { ChatPrompt, LogprobsParams, LogprobsResult } from '../worker-types.ts';

/** A held-out question with its gold answers, as the host's prepared split holds it. */
export interface HeldOutQuestion {
  questionId: string;
  question: string;
  answers: readonly string[];
}

/** One question's P(gold) before (reference) and after (policy), each its best alias. */
export interface HeldOutGoldScore {
  questionId: string;
  before: number;
  after: number;
  bestBefore: string;
  bestAfter: string;
  /** Aliases scored (the payable ones, distinct). */
  aliases: number;
}

export interface HeldOutGoldSummary {
  questions: number;
  aliases: number;
  meanBefore: number;
  meanAfter: number;
  medianBefore: number;
  medianAfter: number;
  /** Questions whose P(gold) rose, fell (equal ones are neither). */
  raised: number;
  lowered: number;
}

/** The val questions of a split source (what the loopback env serves), by question id. */
export function valGoldsOf(source: SplitSource): Map<string, HeldOutQuestion> {
  return new Map(
    (source.splits.val ?? []).map((r) => [
      r.id,
      { questionId: r.id, question: r.question, answers: r.answers },
    ]),
  );
}

export type Logprobs = (p: LogprobsParams) => Promise<LogprobsResult>;

/** Sequences (question, alias) per worker call. */
const BATCH = 64;

/**
 * Scores every question's payable aliases, BATCH sequences per call, at temperature 1 (the
 * model's own distribution), each alias followed by the model's first stop token. A question
 * with no non-blank alias has nothing to score and is left out (never read as P = 0); the
 * caller sees it as a shorter list.
 */
export async function scoreHeldOutGold(
  logprobs: Logprobs,
  questions: readonly HeldOutQuestion[],
  prompt: PromptName,
  batchSize = BATCH,
): Promise<HeldOutGoldScore[]> {
  const rows = questions.flatMap((q, qi) => {
    const messages = renderPrompt(prompt, q.question);
    const chat: ChatPrompt = {
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
    };
    const aliases = [...new Set(payableAnswers(q.question, q.answers).filter((a) => a.trim()))];
    return aliases.map((alias) => ({ qi, alias, chat }));
  });
  const sum = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0);
  const policy: number[] = [];
  const reference: number[] = [];
  for (let i = 0; i < rows.length; i += batchSize) {
    const part = rows.slice(i, i + batchSize);
    const r = await logprobs({
      prompts: part.map((x) => x.chat),
      completions: part.map((x) => x.alias),
      append_eos: true,
      reference: true,
      temperature: 1,
    });
    if (!r.reference || r.policy.length !== part.length || r.reference.length !== part.length)
      throw new Error(`logprobs answered ${r.policy.length} rows for ${part.length}`);
    policy.push(...r.policy.map(sum));
    reference.push(...r.reference.map(sum));
  }
  // the best alias of each question under each model, in one pass over the rows
  const best = questions.map(() => ({
    before: { lp: -Infinity, alias: '' },
    after: { lp: -Infinity, alias: '' },
    aliases: 0,
  }));
  rows.forEach((row, i) => {
    const b = best[row.qi]!;
    b.aliases += 1;
    if (reference[i]! > b.before.lp) b.before = { lp: reference[i]!, alias: row.alias };
    if (policy[i]! > b.after.lp) b.after = { lp: policy[i]!, alias: row.alias };
  });
  return questions.flatMap((q, qi) => {
    const b = best[qi]!;
    if (b.aliases === 0) return [];
    return [
      {
        questionId: q.questionId,
        before: Math.exp(b.before.lp),
        after: Math.exp(b.after.lp),
        bestBefore: b.before.alias,
        bestAfter: b.after.alias,
        aliases: b.aliases,
      },
    ];
  });
}

const mean = (xs: readonly number[]) =>
  xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : Number.NaN;

export function summariseHeldOutGold(scores: readonly HeldOutGoldScore[]): HeldOutGoldSummary {
  const b = scores.map((s) => s.before);
  const a = scores.map((s) => s.after);
  return {
    questions: scores.length,
    aliases: scores.reduce((n, s) => n + s.aliases, 0),
    meanBefore: mean(b),
    meanAfter: mean(a),
    medianBefore: median(b),
    medianAfter: median(a),
    raised: scores.filter((s) => s.after > s.before).length,
    lowered: scores.filter((s) => s.after < s.before).length,
  };
}
