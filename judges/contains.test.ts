import { describe, expect, it } from 'vitest';
import { describeJudgeConformance } from '../test/support/judge-conformance.ts';
import { ContainsJudge, containsDecision } from './contains.ts';
import { isNonAnswer } from './hedges.ts';

describeJudgeConformance('contains', () => new ContainsJudge());
describeJudgeConformance('contains (maxWords 5)', () => new ContainsJudge({ maxWords: 5 }));

const label = (prediction: string, answers = ['Paris'], maxWords?: number) =>
  containsDecision({ question: 'What is the capital of France?', answers, prediction }, maxWords)
    .label;

describe('the contains judge', () => {
  it('accepts a short answer that contains the gold as whole words', () => {
    expect(label('It is Paris.')).toBe('correct');
    expect(label('Paris, France')).toBe('correct');
    expect(label('The answer is Leonardo da Vinci', ['Leonardo da Vinci'])).toBe('correct');
  });

  it('does not match inside a longer word', () => {
    expect(label('Parisian')).toBe('incorrect');
    expect(label('Comparison')).toBe('incorrect');
  });

  it('rejects an answer that lists several candidates', () => {
    expect(label('Paris or Lyon')).toBe('incorrect');
    expect(label('either Lyon or Paris')).toBe('incorrect');
    expect(label('Lyon, Marseille, Paris')).toBe('incorrect');
    expect(label('Lyon, Paris')).toBe('incorrect');
    expect(label('Paris and Lyon')).toBe('incorrect');
    expect(label('Paris/Lyon')).toBe('incorrect');
    expect(label('Paris; Lyon')).toBe('incorrect');
  });

  it('allows list words that belong to the gold answer itself', () => {
    expect(label('Simon and Garfunkel', ['Simon & Garfunkel', 'Simon and Garfunkel'])).toBe(
      'correct',
    );
    expect(label('I think Romeo and Juliet', ['Romeo and Juliet'])).toBe('correct');
    expect(label('Springfield, Illinois', ['Springfield, Illinois'])).toBe('correct');
  });

  it('rejects answers past the word limit, but never an exact match', () => {
    const long = 'well it could be many things but my final answer here is Paris';
    expect(label(long)).toBe('incorrect');
    // Articles do not count: "paris is capital" is three words.
    expect(label('Paris is the capital', ['Paris'], 2)).toBe('incorrect');
    expect(label('Paris is the capital', ['Paris'], 3)).toBe('correct');
    const title = 'the man who shot liberty valance and other stories of the west';
    expect(label(title, [title], 3)).toBe('correct');
  });

  it('marks refusals and bare hedges not attempted', () => {
    for (const p of [
      "I don't know",
      'Not sure.',
      "Sorry, I'm not sure",
      'N/A',
      'unknown',
      '',
      'I have no idea, sorry',
    ]) {
      expect(label(p), p).toBe('not_attempted');
    }
  });

  it('grades a hedged but committed answer on its content', () => {
    expect(label('Not sure, maybe Paris')).toBe('correct');
    expect(label("I don't know, maybe Lyon")).toBe('incorrect');
    expect(label('not sure: Paris or Lyon')).toBe('incorrect');
  });

  it('matches numbers regardless of thousands separators', () => {
    expect(label('about 1000 metres', ['1,000 metres'])).toBe('correct');
  });

  it('gives its reason in the verdict', async () => {
    const [v] = await new ContainsJudge().judge([
      { question: 'q', answers: ['Paris'], prediction: 'Paris or Lyon' },
    ]);
    expect(v).toMatchObject({ verdict: 'incorrect', reasoning: 'answer lists several candidates' });
  });

  it('refuses unknown options with FR_ERR_JUDGE_INVALID_SPEC', () => {
    expect(() => new ContainsJudge({ maxWords: 0 })).toThrow(
      /FR_ERR_JUDGE_INVALID_SPEC|unknown or malformed/,
    );
    expect(() => new ContainsJudge({ wat: 1 } as never)).toThrow(/unknown or malformed/);
  });

  it('has a fingerprint that changes with its settings', () => {
    expect(new ContainsJudge({ maxWords: 5 }).fingerprint).not.toBe(
      new ContainsJudge().fingerprint,
    );
    expect(new ContainsJudge({ maxWords: 10 }).fingerprint).toBe(new ContainsJudge().fingerprint);
  });
});

describe('isNonAnswer', () => {
  it('does not mistake a plain answer for a hedge', () => {
    expect(isNonAnswer('Paris')).toBe(false);
    expect(isNonAnswer('I think it is Paris')).toBe(false);
    expect(isNonAnswer('Unknown Pleasures')).toBe(false);
  });
});
