import { describe, expect, it } from 'vitest';
import { describeJudgeConformance } from '../test/support/judge-conformance.ts';
import { ContainsJudge } from './contains.ts';
import { ExactJudge } from './exact.ts';
import { createJudge } from './index.ts';
import { PanelJudge, panelVerdict } from './panel.ts';
import type { Judge, JudgeItem, Verdict } from './types.ts';
import { failedVerdict, okVerdict } from './verdicts.ts';

describeJudgeConformance('panel (contains, contains with 3 words, tie rule incorrect)', () =>
  createJudge({
    kind: 'panel',
    options: {
      judges: ['contains', { kind: 'contains', options: { maxWords: 3 } }],
      tieRule: 'incorrect',
    },
  }),
);

const ok = (label: 'correct' | 'incorrect' | 'not_attempted') => okVerdict('m', label, 1);
const failed = failedVerdict('m', { code: 'FR_ERR_JUDGE_TIMEOUT', message: 't' }, 1);

/** A judge that always answers the given label, or fails. */
function fixed(label: 'correct' | 'incorrect' | 'failed'): Judge {
  return {
    id: `fixed-${label}`,
    fingerprint: `fixed-${label}-fp`,
    async judge(items: readonly JudgeItem[]): Promise<Verdict[]> {
      return items.map(() => (label === 'failed' ? failed : ok(label)));
    },
  };
}

describe('the panel judge', () => {
  it('takes the majority label and reports the votes', () => {
    const v = panelVerdict('panel', [ok('correct'), ok('correct'), ok('incorrect')], 'fail', 3);
    expect(v).toMatchObject({ verdict: 'correct', reward: 1, tie: false });
    expect(v.votes).toEqual({ correct: 2, incorrect: 1, not_attempted: 0, failed: 0 });
  });

  it('leaves failed members out of the vote', () => {
    const v = panelVerdict('panel', [ok('incorrect'), failed, failed], 'fail', 3);
    expect(v).toMatchObject({ verdict: 'incorrect', status: 'ok' });
    expect(v.votes?.failed).toBe(2);
  });

  it("fails with the members' error when nobody voted", () => {
    const v = panelVerdict('panel', [failed, failed], 'fail', 3);
    expect(v).toMatchObject({
      status: 'judge_failed',
      reward: null,
      error: { code: 'FR_ERR_JUDGE_TIMEOUT' },
    });
  });

  it('reports a tie and settles it by its rule', () => {
    const votes = [ok('correct'), ok('incorrect')];
    expect(panelVerdict('p', votes, 'fail', 1)).toMatchObject({
      status: 'judge_failed',
      reward: null,
      tie: true,
      error: { code: 'FR_ERR_JUDGE_PANEL_TIE' },
    });
    expect(panelVerdict('p', votes, 'incorrect', 1)).toMatchObject({
      verdict: 'incorrect',
      tie: true,
    });
    expect(panelVerdict('p', votes, 'first', 1)).toMatchObject({ verdict: 'correct', tie: true });
  });

  it('counts ties over batches', async () => {
    const panel = new PanelJudge([fixed('correct'), fixed('incorrect')], 'incorrect');
    const v = await panel.judge([{ question: 'q', answers: ['a'], prediction: 'b' }]);
    expect(v[0]).toMatchObject({ verdict: 'incorrect', tie: true });
    expect(panel.ties).toBe(1);
  });

  it('needs two members, and its fingerprint follows its members and tie rule', () => {
    expect(() => new PanelJudge([new ExactJudge()])).toThrow(/at least two/);
    const a = new PanelJudge([new ContainsJudge(), fixed('correct')]);
    expect(new PanelJudge([new ContainsJudge(), fixed('correct')]).fingerprint).toBe(a.fingerprint);
    expect(new PanelJudge([new ContainsJudge(), fixed('correct')], 'first').fingerprint).not.toBe(
      a.fingerprint,
    );
    expect(
      new PanelJudge([new ContainsJudge({ maxWords: 3 }), fixed('correct')]).fingerprint,
    ).not.toBe(a.fingerprint);
  });

  it('refuses exact beside contains, which would count every exact match twice (issue 12)', () => {
    expect(() => new PanelJudge([new ExactJudge(), new ContainsJudge(), fixed('correct')])).toThrow(
      /FR_ERR_JUDGE_INVALID_SPEC|vote twice/,
    );
    expect(() =>
      createJudge({ kind: 'panel', options: { judges: ['exact', 'contains'] } }),
    ).toThrow(/vote twice/);
    expect(() => new PanelJudge([new ContainsJudge(), new ContainsJudge()])).toThrow(/twice/);
  });

  it('lets an answer only the LLM accepts win against exact, or at least not lose 2-1 (issue 12)', async () => {
    // The old default, llm + contains + exact, on a paraphrase the LLM accepts: exact and
    // contains both say incorrect whenever exact does. The default now has no exact member.
    const { DEFAULT_PANEL } = await import('./index.ts');
    expect(DEFAULT_PANEL.judges).toEqual(['llm', 'contains']);
    const llmSaysCorrect = fixed('correct');
    const panel = new PanelJudge([llmSaysCorrect, new ContainsJudge()], 'fail');
    const [v] = await panel.judge([
      {
        question: 'Who wrote Hamlet?',
        answers: ['William Shakespeare'],
        prediction: 'The Bard of Avon',
      },
    ]);
    // Disagreement is no reward at all (masked), never a 0 decided by a duplicated vote.
    expect(v).toMatchObject({ status: 'judge_failed', reward: null, tie: true });
  });

  it('rejects a malformed panel spec', () => {
    expect(() => createJudge({ kind: 'panel', options: { judges: 'exact' } } as never)).toThrow(
      /judges list/,
    );
    expect(() =>
      createJudge({
        kind: 'panel',
        options: { judges: ['exact', 'contains'], tieRule: 'coin' },
      } as never),
    ).toThrow(/tieRule/);
  });
});
