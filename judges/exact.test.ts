import { describe, expect, it } from 'vitest';
import { describeJudgeConformance } from '../test/support/judge-conformance.ts';
import { ExactJudge, exactLabel, memoizedNormalize } from './exact.ts';
import { normalizeAnswer } from './normalize.ts';

describeJudgeConformance('exact', () => new ExactJudge());

const q = 'Who painted the Mona Lisa?';

describe('the exact judge', () => {
  it('accepts a prediction equal to an alias after normalisation', () => {
    expect(
      exactLabel({ question: q, answers: ['Leonardo da Vinci'], prediction: 'leonardo DA vinci.' }),
    ).toBe('correct');
    expect(
      exactLabel({
        question: q,
        answers: ['Leonardo da Vinci', 'Leonardo'],
        prediction: 'Leonardo',
      }),
    ).toBe('correct');
  });

  it('rejects a prediction that only contains the answer', () => {
    expect(
      exactLabel({ question: q, answers: ['Leonardo'], prediction: 'Leonardo da Vinci' }),
    ).toBe('incorrect');
    expect(
      exactLabel({ question: q, answers: ['Leonardo da Vinci'], prediction: 'da Vinci' }),
    ).toBe('incorrect');
  });

  it('marks blank and punctuation-only predictions not attempted', () => {
    expect(exactLabel({ question: q, answers: ['x'], prediction: '' })).toBe('not_attempted');
    expect(exactLabel({ question: q, answers: ['x'], prediction: ' . ' })).toBe('not_attempted');
  });

  it('matches numbers written with and without thousands separators', () => {
    expect(exactLabel({ question: 'How many?', answers: ['1,000'], prediction: '1000' })).toBe(
      'correct',
    );
  });

  it('reports latency and no cache use, with the fixed id', async () => {
    const j = new ExactJudge();
    const [v] = await j.judge([{ question: q, answers: ['Leonardo'], prediction: 'Leonardo' }]);
    expect(v).toMatchObject({ judgeId: 'exact', cached: false, status: 'ok', reward: 1 });
  });

  it('memoised normalisation returns what normalizeAnswer returns, first call and repeat, past its bound', () => {
    const norm = memoizedNormalize(3);
    const inputs = ['The Beatles', "L'Aquila", '1,000', 'minus 40', 'The Beatles', 'C++', '1,000'];
    for (const s of inputs) {
      expect(norm(s)).toBe(normalizeAnswer(s));
      expect(norm(s)).toBe(normalizeAnswer(s));
    }
  });

  it('gives the same verdicts on a repeated batch (memo warm) as on the first', async () => {
    const j = new ExactJudge();
    const items = ['Leonardo', 'leonardo.', 'Michelangelo', ''].map((prediction) => ({
      question: q,
      answers: ['Leonardo', 'Leonardo da Vinci'],
      prediction,
    }));
    const first = (await j.judge(items)).map((v) => v.verdict);
    const again = (await j.judge(items)).map((v) => v.verdict);
    expect(first).toEqual(['correct', 'correct', 'incorrect', 'not_attempted']);
    expect(again).toEqual(first);
  });
});
