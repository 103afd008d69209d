/**
 * Answer normalisation shared by every judge and by the verdict cache key.
 *
 * The rules follow the SQuAD/TriviaQA evaluation convention, with two changes that matter for
 * short factual answers: accents are folded (NFKD, combining marks dropped) so "Zoë" equals
 * "Zoe", and numbers are canonicalised so "1,000", "1000" and "1000.0" are one token.
 */

/** Article words removed as whole words. */
const ARTICLES = new Set(['a', 'an', 'the']);

/**
 * Normalise an answer for comparison: lowercase, NFKD with diacritics stripped, thousands
 * separators and trailing decimal zeros removed from numbers, apostrophes dropped ("O'Brien" ->
 * "obrien"), every other punctuation or symbol turned into a space ("Jay-Z" -> "jay z"),
 * the articles a/an/the removed, whitespace collapsed. Returns '' for blank input.
 */
export function normalizeAnswer(s: string): string {
  let t = s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  // "1,000,000" -> "1000000" (only groups of exactly three digits, so "3,4" is two numbers).
  t = t.replace(/(\d),(?=\d{3}(?!\d))/g, '$1');
  // Apostrophes join the word: "o'brien", "don't", "1990's".
  t = t.replace(/['\u2018\u2019\u02bc`]/g, '');
  // Keep a decimal point only between digits; elsewhere punctuation and symbols are spaces.
  t = t.replace(/(\d)\.(?=\d)/g, '$1\u0000');
  t = t.replace(/[\p{P}\p{S}]/gu, ' ').replace(/\u0000/g, '.');
  const words = t.split(/\s+/).filter((w) => w.length > 0 && !ARTICLES.has(w));
  return words.map(canonicalNumber).join(' ');
}

/** "007" -> "7", "2.50" -> "2.5", "3.0" -> "3"; other words unchanged. */
function canonicalNumber(word: string): string {
  if (!/^\d+(\.\d+)?$/.test(word)) return word;
  let [int = '0', frac = ''] = word.split('.');
  int = int.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

/** Words of a normalised answer ('' has none). */
export function wordsOf(normalized: string): string[] {
  return normalized === '' ? [] : normalized.split(' ');
}
