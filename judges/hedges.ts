/**
 * Recognising answers that commit to nothing: refusals ("I don't know") and bare hedges
 * ("not sure"). Works on normalised text (apostrophes already dropped: "dont", "im").
 */
import { normalizeAnswer, wordsOf } from './normalize.ts';

/** Phrases that decline to answer, longest first so "i do not know" wins over "know". */
const HEDGE_PHRASES = [
  'i do not know',
  'i dont know',
  'do not know',
  'dont know',
  'i have no idea',
  'no idea',
  'not sure',
  'not certain',
  'unsure',
  'uncertain',
  'unknown',
  'no answer',
  'cannot answer',
  'cant answer',
  'unable to answer',
  'cannot say',
  'cant say',
  'cannot determine',
  'cant determine',
  'cannot recall',
  'cant recall',
  'do not recall',
  'dont recall',
  'do not remember',
  'dont remember',
  'not enough information',
  'no information',
  'idk',
].sort((a, b) => b.length - a.length);

/** Words that may surround a refusal without making it an answer. */
const FILLER = new Set(
  (
    'i im am me my sorry but and so well honestly really just quite very exactly ' +
    'maybe perhaps possibly probably think guess believe would could can cannot cant ' +
    'be is it its that this to of about for question answer information here there ' +
    'know sure the unfortunately afraid say tell you your am not no'
  ).split(' '),
);

/**
 * True when the answer, once refusal phrases and filler words are removed, commits to nothing:
 * blank text, "I don't know", "Sorry, I'm not sure", "N/A". "Not sure, maybe Paris" is a
 * committed (hedged) answer and returns false.
 */
export function isNonAnswer(prediction: string): boolean {
  // "N/A" normalises to "n" (the "a" is an article), so it is recognised on the raw text.
  if (/^\s*n\s*\/\s*a\s*\.?\s*$/i.test(prediction)) return true;
  let text = ` ${normalizeAnswer(prediction)} `;
  if (text.trim() === '') return true;
  let hadHedge = false;
  for (const phrase of HEDGE_PHRASES) {
    const needle = ` ${phrase} `;
    while (text.includes(needle)) {
      text = text.replace(needle, ' ');
      hadHedge = true;
    }
  }
  if (!hadHedge) return false;
  return wordsOf(text.trim().replace(/\s+/g, ' ')).every((w) => FILLER.has(w));
}
