import { describe, expect, it } from 'vitest';
import { cleanAnswer, extractAnswer, extractCot, extractDirect } from './extract.ts';
import { renderPrompt } from './prompts.ts';

const direct = (raw: string, max = 200) => extractDirect(raw, max).text;
const cot = (raw: string, max = 200) => extractCot(raw, max).text;

describe('direct answer extraction', () => {
  it('takes the first non-empty line and ignores what follows', () => {
    expect(direct('\n\n  Paris  \nIt is in France.')).toBe('Paris');
    expect(direct('Paris\r\nbecause...')).toBe('Paris');
  });

  it.each([
    ['Answer: Paris', 'Paris'],
    ['answer:Paris', 'Paris'],
    ['A: Paris', 'Paris'],
    ['The answer is Paris.', 'Paris'],
    ['The correct answer is: Paris', 'Paris'],
    ['Final Answer: Paris', 'Paris'],
    ['**Answer:** Paris', 'Paris'],
    ['**Answer**: Paris', 'Paris'],
    ['Answer: The answer is Paris', 'Paris'],
  ])('strips the label in %j', (raw, want) => {
    expect(direct(raw)).toBe(want);
  });

  it.each([
    ['"Paris"', 'Paris'],
    ["'Paris'", 'Paris'],
    ['“Paris”', 'Paris'],
    ['**Paris**', 'Paris'],
    ['`Paris`', 'Paris'],
    ['Paris.', 'Paris'],
    ['"Paris."', 'Paris'],
  ])('strips quotes, emphasis and a trailing period in %j', (raw, want) => {
    expect(direct(raw)).toBe(want);
  });

  it('keeps periods that belong to the answer', () => {
    expect(direct('Washington D.C.')).toBe('Washington D.C.');
    expect(direct('J. R. R. Tolkien')).toBe('J. R. R. Tolkien');
    expect(direct('3.14')).toBe('3.14');
    expect(direct('Wait...')).toBe('Wait...');
  });

  it('does not take a word that merely starts like a label', () => {
    expect(direct('Aaron Burr')).toBe('Aaron Burr');
    expect(direct('Answering machine')).toBe('Answering machine');
    expect(direct('A Tale of Two Cities')).toBe('A Tale of Two Cities');
  });

  it('reads the next line when the first is a bare label', () => {
    expect(direct('Answer:\nParis')).toBe('Paris');
    expect(direct('**Answer:**\n\nParis')).toBe('Paris');
  });

  it('gives an empty answer (not attempted) for blank text', () => {
    expect(extractDirect('', 200)).toEqual({ text: '', truncated: false, rule: 'none' });
    expect(extractDirect('  \n\t\n', 200)).toEqual({ text: '', truncated: false, rule: 'none' });
    expect(extractDirect('Answer:', 200).text).toBe('');
  });

  it('cuts at the length cap, by code points, and says so', () => {
    expect(extractDirect('abcdefghij', 4)).toEqual({
      text: 'abcd',
      truncated: true,
      rule: 'first_line',
    });
    expect(extractDirect('abcd', 4)).toEqual({
      text: 'abcd',
      truncated: false,
      rule: 'first_line',
    });
    // Astral-plane characters are not split in half.
    expect(extractDirect('😀😀😀', 2).text).toBe('😀😀');
  });
});

describe('cot answer extraction', () => {
  it('takes the final-answer line after the reasoning', () => {
    expect(cot('France is in Europe.\nIts capital is Paris.\nFinal answer: Paris')).toBe('Paris');
    expect(cot('thinking\nFINAL ANSWER:  "Paris".')).toBe('Paris');
    expect(cot('thinking\n**Final answer:** Paris')).toBe('Paris');
  });

  it('takes the last final-answer line when there are several', () => {
    expect(cot('Final answer: Lyon\nNo, wait.\nFinal answer: Paris')).toBe('Paris');
  });

  it('reads the next line when the final-answer label stands alone', () => {
    expect(cot('reasoning\nFinal answer:\nParis')).toBe('Paris');
  });

  it('gives not attempted without a final-answer line, even if the text holds an answer', () => {
    expect(extractCot('The capital is Paris.', 200)).toEqual({
      text: '',
      truncated: false,
      rule: 'none',
    });
    expect(cot('Paris')).toBe('');
  });

  it('caps the final answer too', () => {
    expect(extractCot('Final answer: Parisian', 5)).toEqual({
      text: 'Paris',
      truncated: true,
      rule: 'final_answer_line',
    });
  });
});

describe('extractAnswer', () => {
  it('dispatches on the prompt', () => {
    const raw = 'Lyon\nFinal answer: Paris';
    expect(extractAnswer('direct', raw, 200).text).toBe('Lyon');
    expect(extractAnswer('cot', raw, 200).text).toBe('Paris');
  });

  it('cleans repeatedly until stable', () => {
    expect(cleanAnswer('Answer: "The answer is Paris."')).toBe('Paris');
  });
});

describe('prompt templates', () => {
  it('render a system and a user message, with the question taken literally', () => {
    const messages = renderPrompt('direct', 'What costs $& in 2020?');
    expect(messages).toHaveLength(2);
    expect(messages[0]!.role).toBe('system');
    expect(messages[1]).toEqual({ role: 'user', content: 'What costs $& in 2020?' });
  });

  it('ask cot for the final-answer line that extraction reads', () => {
    expect(renderPrompt('cot', 'Q?')[0]!.content).toContain('Final answer:');
    expect(renderPrompt('direct', 'Q?')[0]!.content).toMatch(/no explanation/);
  });
});
