import { describe, expect, it } from 'vitest';
import { describeJudgeConformance } from '../test/support/judge-conformance.ts';
import { ExactJudge, exactLabel } from './exact.ts';

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
});
