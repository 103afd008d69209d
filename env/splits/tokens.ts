/**
 * Tokens for lexical retrieval and the heuristic similarity: the judges' answer normalisation
 * (lowercase, accents folded, punctuation as spaces, numbers canonical), then English function
 * words dropped, so "Who wrote Hamlet?" and "Hamlet was written by whom" meet on content words.
 */
import { normalizeAnswer } from '../../judges/normalize.ts';

/**
 * Function words and question words. Kept short on purpose: a word like "born" or "capital"
 * carries the relation, and the IDF weighting (not this list) takes care of frequent ones.
 * Articles are listed because the judges' normalisation now keeps them inside an answer
 * ("Vitamin A"); as query terms their posting lists made BM25 retrieval about 5x slower.
 */
const STOPWORDS = new Set(
  (
    'a an the ' +
    'what which who whom whose when where why how is are was were be been being am do does did ' +
    'has have had of in on at to for from by with as into onto about than then that this these ' +
    'those it its and or but not no nor so if s he she they them his her their him i you we our ' +
    'your my me us there here can could would should will shall may might must also name named'
  ).split(' '),
);

/** Content tokens of a text, in order, duplicates kept. */
export function contentTokens(text: string): string[] {
  const normalized = normalizeAnswer(text);
  if (normalized === '') return [];
  return normalized.split(' ').filter((w) => !STOPWORDS.has(w));
}

/** Distinct content tokens of a text, in first-seen order. */
export function distinctTokens(text: string): string[] {
  return [...new Set(contentTokens(text))];
}

/** Normalised answer strings of a record (aliases included), blanks dropped, distinct. */
export function normalizedAnswers(answers: readonly string[]): string[] {
  const out = new Set<string>();
  for (const a of answers) {
    const n = normalizeAnswer(a);
    if (n !== '') out.add(n);
  }
  return [...out];
}

/** Every normalised word of a text, function words included. */
export function allWords(text: string): string[] {
  const normalized = normalizeAnswer(text);
  return normalized === '' ? [] : normalized.split(' ');
}
