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
    // Only a leading article is dropped: "paris is the capital" is four words.
    expect(label('Paris is the capital', ['Paris'], 3)).toBe('incorrect');
    expect(label('Paris is the capital', ['Paris'], 4)).toBe('correct');
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

const q = (question: string, answers: string[], prediction: string) =>
  containsDecision({ question, answers, prediction }).label;

describe('the contains judge against the classes of issue 12', () => {
  it('rejects a list whatever separates it: dashes, newlines, bullets, numbers, vs, spaces', () => {
    for (const p of [
      'Paris - Lyon',
      'Paris – Lyon',
      'Paris — Lyon',
      'Paris\nLyon',
      '- Paris\n- Lyon',
      '• Paris • Lyon',
      '1. Paris 2. Lyon',
      'Paris vs Lyon',
      'Paris versus Lyon',
      'Paris Lyon',
      'Paris + Lyon',
      'Paris ~ Lyon',
      'Paris\tLyon',
      '(Paris) (Lyon)',
      'Paris、Lyon',
      'Paris\u200b/\u200bLyon',
      'Paris, Lyon',
      'Paris, Lyon, Marseille',
    ]) {
      expect(label(p), JSON.stringify(p)).toBe('incorrect');
    }
  });

  it('rejects a gold that is negated or retracted, and grades what a retraction commits to', () => {
    expect(label('Not Paris, it is Lyon.')).toBe('incorrect');
    expect(label("It isn't Paris.")).toBe('incorrect');
    expect(label('Paris is wrong; it is Lyon.')).toBe('incorrect');
    expect(label('Definitely not Paris')).toBe('incorrect');
    expect(label('Not Paris but Lyon')).toBe('incorrect');
    expect(label('Paris? No.')).toBe('incorrect');
    expect(label('Paris. No wait, Lyon.')).toBe('incorrect');
    expect(label('Paris... actually, Lyon.')).toBe('incorrect');
    expect(label('Paris. Correction: Lyon')).toBe('incorrect');
    expect(label('Paris—scratch that—Lyon')).toBe('incorrect');
    // Committing to the gold after rejecting another candidate is an answer.
    expect(label("It's not Lyon, it's Paris.")).toBe('correct');
    expect(label('Paris, not Lyon')).toBe('correct');
    expect(label('Lyon. No wait, Paris.')).toBe('correct');
    expect(label("It's actually Paris")).toBe('correct');
    // A negation word inside the gold is not a negation.
    expect(
      q(
        'Which film won Best Picture in 2008?',
        ['No Country for Old Men'],
        'It was No Country for Old Men',
      ),
    ).toBe('correct');
  });

  it('rejects a different name that contains the gold', () => {
    expect(q('Which state has Richmond as its capital?', ['Virginia'], 'West Virginia')).toBe(
      'incorrect',
    );
    expect(q('Which country has Conakry as its capital?', ['Guinea'], 'Guinea-Bissau')).toBe(
      'incorrect',
    );
    expect(q('Which country has Conakry as its capital?', ['Guinea'], 'Papua New Guinea')).toBe(
      'incorrect',
    );
    expect(q('Which English city has York Minster?', ['York'], 'New York')).toBe('incorrect');
    expect(q('Which river is the longest in Africa?', ['Nile'], 'Blue Nile')).toBe('incorrect');
  });

  it('accepts a comma refinement by a larger place and dates with a comma', () => {
    const kyoto = 'Which city was the imperial capital of Japan before Tokyo?';
    expect(q(kyoto, ['Kyoto'], 'Kyoto, Japan')).toBe('correct');
    expect(q(kyoto, ['Kyoto'], 'Kyoto, Nara')).toBe('incorrect');
    expect(q('Where is the Sagrada Familia?', ['Barcelona'], 'Barcelona, in Catalonia')).toBe(
      'correct',
    );
    // A place no larger than the gold is a second candidate.
    expect(q('Which country has Accra as its capital?', ['Ghana'], 'Ghana, Togo')).toBe(
      'incorrect',
    );
    const hubble = 'When was the Hubble Space Telescope launched?';
    expect(q(hubble, ['April 24, 1990'], 'April 24th, 1990')).toBe('correct');
    expect(q(hubble, ['24 April 1990'], 'Apr. 24, 1990')).toBe('correct');
    expect(q(hubble, ['April 24, 1990'], 'April 25, 1990')).toBe('incorrect');
    expect(q('In what year did the Titanic sink?', ['1912'], 'April 15, 1912')).toBe('correct');
    expect(q('In what year did the Titanic sink?', ['1912'], '1912, 1913')).toBe('incorrect');
  });

  it('does not pay for restating a question that spells out one of its aliases', () => {
    const question = "The traditional sport of 'pugilism' is nowadays called?";
    const answers = ['Boxing', 'Pugilism', 'Prize fighting'];
    expect(q(question, answers, question)).toBe('not_attempted');
    expect(q(question, answers, "It's pugilism")).toBe('not_attempted');
    expect(q(question, answers, 'It is called boxing.')).toBe('correct');
    // Nor is an exact match of the alias (contains v3 paid it, as exact v1 did).
    expect(q(question, answers, 'Pugilism')).toBe('not_attempted');
    // A question that offers alternatives keeps them as answers.
    expect(q('Which is larger, Mars or Venus?', ['Venus'], 'It is Venus.')).toBe('correct');
  });

  it('does not let a question that offers alternatives be restated as a list', () => {
    const question = 'Which is larger, Mars or Venus?';
    expect(q(question, ['Venus'], 'Venus')).toBe('correct');
    expect(q(question, ['Venus'], 'Venus Mars')).toBe('incorrect');
    expect(q(question, ['Venus'], 'Mars, Venus')).toBe('incorrect');
  });

  it('refuses an answer that also names the other alternative, even in allowed words (v5)', () => {
    // every word of the first answer is a gold word or a carrier ("i", "is"): v4 paid it
    const question = 'is it marley and me or marley and i';
    const golds = ['Marley & Me', 'Marley and Me'];
    expect(
      containsDecision({ question, answers: golds, prediction: 'marley and i is marley and me.' }),
    ).toEqual({
      label: 'incorrect',
      reason: 'names another alternative: marley and i',
    });
    expect(q(question, golds, 'marley and me is marley and i')).toBe('incorrect');
    // the gold alone, with carriers, or with the other alternative negated, is still paid
    expect(q(question, golds, 'it is marley and me')).toBe('correct');
    expect(q(question, golds, 'Marley and Me, not Marley and I')).toBe('correct');
    expect(q('Which is larger, Mars or Venus?', ['Venus'], 'Venus, not Mars')).toBe('correct');
  });

  it('marks a refusal that names what it does not know, or a restatement, not attempted', () => {
    const question = 'What is the capital of Mongolia?';
    for (const p of [
      "I don't know the capital of Mongolia.",
      "I'm not sure what the capital of Mongolia is.",
      'Sorry, I cannot recall who founded it.',
      'No clue, sorry.',
      "I couldn't tell you.",
      'Dunno.',
      'I am unable to provide that information.',
      'That is beyond my knowledge.',
      'As an AI, I cannot browse the internet to check this.',
      'The capital of Mongolia',
    ]) {
      expect(q(question, ['Ulaanbaatar'], p), p).toBe('not_attempted');
    }
    expect(q(question, ['Ulaanbaatar'], "I don't know, maybe Ulaanbaatar")).toBe('correct');
    expect(q(question, ['Ulaanbaatar'], 'Not 100% sure, but Ulaanbaatar.')).toBe('correct');
  });

  it('matches numbers with their sign and digits, and number words', () => {
    const q40 = 'At what temperature are Celsius and Fahrenheit equal?';
    expect(q(q40, ['-40'], '40 degrees')).toBe('incorrect');
    expect(q(q40, ['-40', '−40 degrees'], 'minus 40 degrees')).toBe('correct');
    expect(q("What is James Bond's code number?", ['007'], '7')).toBe('incorrect');
    expect(q('Which version of OS X was Yosemite?', ['10.10'], 'OS X 10.1')).toBe('incorrect');
    expect(q('How many sides does a hexagon have?', ['6'], 'six sides')).toBe('correct');
    expect(q('How many sides does a hexagon have?', ['6'], '6 or 8')).toBe('incorrect');
  });
});

describe('isNonAnswer', () => {
  it('does not mistake a plain answer for a hedge', () => {
    expect(isNonAnswer('Paris')).toBe(false);
    expect(isNonAnswer('I think it is Paris')).toBe(false);
    expect(isNonAnswer('Unknown Pleasures')).toBe(false);
  });
});
