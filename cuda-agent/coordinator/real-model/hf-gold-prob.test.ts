/**
 * P(gold) on held-out questions from a worker's `logprobs`: the best alias per model, only the
 * payable aliases, batching that keeps rows aligned, and the summary, against hand-made
 * log-probs (each alias's log-prob is chosen, so every expected number is computed by hand).
 */
import { describe, expect, it } from 'vitest';
import { renderPrompt } from '../../../env/prompts.ts';
import type { LogprobsParams } from '../worker-types.ts';
import {
  type HeldOutQuestion,
  scoreHeldOutGold,
  summariseHeldOutGold,
  valGoldsOf,
} from './hf-gold-prob.ts';

// log P(alias + stop) per model, split over two tokens so that the sum is what counts
const POLICY: Record<string, number> = {
  Blackhead: Math.log(0.2),
  Blackheads: Math.log(0.5),
  Paris: Math.log(0.9),
  Nile: Math.log(0.01),
};
const REFERENCE: Record<string, number> = {
  Blackhead: Math.log(0.3),
  Blackheads: Math.log(0.1),
  Paris: Math.log(0.4),
  Nile: Math.log(0.02),
};

function fakeWorker() {
  const calls: LogprobsParams[] = [];
  const lp = (table: Record<string, number>, c: string) => {
    const v = table[c];
    if (v === undefined) throw new Error(`scored an unexpected alias ${c}`);
    return [v / 2, v / 2];
  };
  return {
    calls,
    logprobs: async (p: LogprobsParams) => {
      calls.push(p);
      const cs = p.completions as string[];
      return {
        policy: cs.map((c) => lp(POLICY, c)),
        reference: cs.map((c) => lp(REFERENCE, c)),
        completion_ids: cs.map(() => [1, 2]),
      };
    },
  };
}

const QUESTIONS: HeldOutQuestion[] = [
  // "Comedo" is spelled out by the question: copying it is not recall, so it is not scored
  {
    questionId: 'q1',
    question: "A 'Comedo' is the medical name for what?",
    answers: ['Blackhead', 'Comedo', 'Blackheads', 'Blackhead'],
  },
  { questionId: 'q2', question: 'Capital of France?', answers: ['Paris'] },
  { questionId: 'q3', question: 'Blank golds?', answers: ['  '] },
  { questionId: 'q4', question: 'Longest river?', answers: ['Nile'] },
];

describe('P(gold) on held-out questions', () => {
  it('takes the best payable alias under each model, in batches that stay aligned', async () => {
    const w = fakeWorker();
    const scores = await scoreHeldOutGold(w.logprobs, QUESTIONS, 'direct', 2);
    // q1: Blackhead, Blackheads (distinct, Comedo dropped); q2: Paris; q4: Nile = 4 rows
    expect(w.calls.map((c) => c.completions)).toEqual([
      ['Blackhead', 'Blackheads'],
      ['Paris', 'Nile'],
    ]);
    for (const c of w.calls) {
      expect(c).toMatchObject({ append_eos: true, reference: true, temperature: 1 });
    }
    expect(w.calls[1]!.prompts[1]).toEqual({ messages: renderPrompt('direct', 'Longest river?') });
    // q3 has no alias to score: left out, not read as P = 0
    expect(scores.map((s) => s.questionId)).toEqual(['q1', 'q2', 'q4']);
    const q1 = scores[0]!;
    // before: max(0.3, 0.1) from "Blackhead"; after: max(0.2, 0.5) from "Blackheads"
    expect(q1.before).toBeCloseTo(0.3, 12);
    expect(q1.bestBefore).toBe('Blackhead');
    expect(q1.after).toBeCloseTo(0.5, 12);
    expect(q1.bestAfter).toBe('Blackheads');
    expect(q1.aliases).toBe(2);
    expect(scores[1]).toMatchObject({ bestBefore: 'Paris', aliases: 1 });
    expect(scores[1]!.after).toBeCloseTo(0.9, 12);
  });

  it('summarises: means, medians and how many rose or fell', async () => {
    const scores = await scoreHeldOutGold(fakeWorker().logprobs, QUESTIONS, 'direct');
    const s = summariseHeldOutGold(scores);
    expect(s.questions).toBe(3);
    expect(s.aliases).toBe(4);
    expect(s.meanBefore).toBeCloseTo((0.3 + 0.4 + 0.02) / 3, 12);
    expect(s.meanAfter).toBeCloseTo((0.5 + 0.9 + 0.01) / 3, 12);
    expect(s.medianBefore).toBeCloseTo(0.3, 12);
    expect(s.medianAfter).toBeCloseTo(0.5, 12);
    // q1 and q2 rose, q4 fell (0.02 -> 0.01)
    expect([s.raised, s.lowered]).toEqual([2, 1]);
  });

  it('refuses a worker answer that does not match the rows sent', async () => {
    const short = async () => ({ policy: [[0]], reference: [[0]], completion_ids: [[1]] });
    await expect(scoreHeldOutGold(short, QUESTIONS, 'direct')).rejects.toThrow(
      /answered 1 rows for 4/,
    );
  });

  it('reads the val golds of a split source by question id', () => {
    const record = {
      id: 'v1',
      dataset: 'triviaqa' as const,
      question: 'Q?',
      answers: ['A'],
      meta: {},
    };
    const golds = valGoldsOf({
      dataset: 'triviaqa',
      splits: { val: [record], train: [{ ...record, id: 't1' }] },
      hash: 'h',
      description: 'd',
    });
    expect([...golds.keys()]).toEqual(['v1']);
    expect(golds.get('v1')).toEqual({ questionId: 'v1', question: 'Q?', answers: ['A'] });
  });
});
