/**
 * Live test against a real OpenAI-compatible endpoint. Runs only when OPENAI_BASE_URL is set
 * (with FACTRECALL_JUDGE_MODEL, and OPENAI_API_KEY where the endpoint needs one).
 */
import { describe, expect, it } from 'vitest';
import { OBVIOUS_CASES } from '../../test/support/judge-conformance.ts';
import { LlmJudge } from './llm-judge.ts';

const live = Boolean(process.env.OPENAI_BASE_URL && process.env.FACTRECALL_JUDGE_MODEL);
if (!live) {
  console.log(
    'llm-judge.live.test.ts skipped: set OPENAI_BASE_URL and FACTRECALL_JUDGE_MODEL to run it',
  );
}

describe.skipIf(!live)('the llm judge against a live endpoint', () => {
  it('grades paraphrases, wrong answers, lists and refusals as a careful grader would', async () => {
    const judge = new LlmJudge({ cachePath: null, timeoutMs: 60_000 });
    const q = 'Who designed St Paul’s Cathedral in London?';
    const gold = ['Christopher Wren', 'Sir Christopher Wren'];
    const v = await judge.judge([
      ...OBVIOUS_CASES.map((c) => c.item),
      { question: q, answers: gold, prediction: 'It was designed by the architect Wren.' },
      { question: q, answers: gold, prediction: 'Inigo Jones' },
      { question: q, answers: gold, prediction: 'Christopher Wren or Nicholas Hawksmoor' },
      { question: q, answers: gold, prediction: "I'm sorry, I don't know." },
    ]);
    expect(v.every((x) => x.status === 'ok')).toBe(true);
    expect(v.slice(0, OBVIOUS_CASES.length).map((x) => x.verdict)).toEqual(
      OBVIOUS_CASES.map((c) => c.label),
    );
    expect(v.slice(OBVIOUS_CASES.length).map((x) => x.verdict)).toEqual([
      'correct',
      'incorrect',
      'incorrect',
      'not_attempted',
    ]);
  }, 120_000);
});
