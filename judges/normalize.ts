/**
 * Answer normalisation shared by every judge.
 *
 * The base is the SQuAD/TriviaQA evaluation convention (lowercase, punctuation to spaces,
 * articles dropped, whitespace collapsed), which the field expects of exact match. We depart
 * from it where it makes different answers equal or equal answers different, because a judge
 * is a reward and a policy under optimisation finds every such collision (docs/judges.md):
 *
 * - **Articles**: only one leading "a", "an" or "the" (or an elided "l'") is dropped, and never
 *   the last word. SQuAD deletes them anywhere, so "Vitamin A" became "vitamin" (contained in
 *   "Vitamin D") and a gold of "A" or "The The" became empty.
 * - **Numbers** keep their digits as written: "007" is not "7", "10.10" not "10.1", "1.000" not
 *   "1". Only thousands separators go ("1,000" is "1000"). A minus sign before a digit is kept
 *   ("-40" is not "40"); a dash between digits is a range and becomes a space.
 * - **Marks**: accents are folded on Latin and Greek letters ("Zoë" is "zoe"), and the optional
 *   vowel points of Hebrew and Arabic go, but marks that spell letters elsewhere (Devanagari
 *   vowel signs, Thai, Cyrillic "й") are kept, so a word in those scripts stays that word.
 *   Letters that are not decomposable are folded too: ø o, ł l, ß ss, æ ae, œ oe, đ ð d, þ th.
 * - **Invisible characters** (zero-width spaces and joiners, BOM, soft hyphen: Unicode Cf) are
 *   removed before anything else, so they can neither hide a separator nor split a word.
 * - **Elision**: "l'", "d'", "dell'", ... are a word of their own ("L'Aquila" is "aquila",
 *   "d'Artagnan" is "d artagnan"), not glued on ("laquila").
 * - **Dates** in words or ISO form become one form, day month year: "April 24th, 1990",
 *   "24 April 1990", "the 24th of April 1990", "1990-04-24" and "Apr. 24, 1990" are all
 *   "24 april 1990"; a numeric d/m/y is read only when the day is over 12 (otherwise it is
 *   ambiguous and left alone).
 * - Number words two to twenty and the tens are digits ("four" is "4"); "one" stays a word.
 * - "&" is "and", "minus 40" is "-40", and a "+" or "#" ending a word is kept ("AB+" is not
 *   "AB", "C#" is not "C").
 */

/** What the placeholders \u0000-\u0003 stand for once punctuation has become spaces. */
const PROTECTED = ['.', '-', '+', '#'];

/**
 * Number words two to twenty and the tens, as digits ("four" is "4"). "one" stays a word: it is
 * more often a pronoun ("that one") than a number.
 */
const NUMBER_WORDS = new Map(
  (
    'two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen ' +
    'sixteen seventeen eighteen nineteen twenty'
  )
    .split(' ')
    .map((w, i) => [w, String(i + 2)] as [string, string])
    .concat(
      'thirty forty fifty sixty seventy eighty ninety'
        .split(' ')
        .map((w, i) => [w, String(30 + 10 * i)] as [string, string]),
    ),
);

/** Article words dropped when they lead an answer of more than one word. */
const ARTICLES = new Set(['a', 'an', 'the', 'l']);

/** Letters whose marks are folded: Latin and Greek (accents are optional in everyday use). */
const FOLDED_BASE = /[\p{Script=Latin}\p{Script=Greek}]/u;
/** Hebrew points and cantillation, Arabic harakat: optional vowel marks, usually unwritten. */
const OPTIONAL_POINTS = /[\u0591-\u05C7\u064B-\u065F\u0670]/u;
const MARK = /\p{M}/u;

const LETTER_FOLDS: Record<string, string> = {
  ø: 'o',
  ł: 'l',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  ŀ: 'l',
};
const LETTER_FOLD_RE = new RegExp(`[${Object.keys(LETTER_FOLDS).join('')}]`, 'g');

/** Drop combining marks where they are accents (see the module comment), keep them elsewhere. */
function foldMarks(s: string): string {
  const d = s.normalize('NFD');
  if (!MARK.test(d)) return d;
  let out = '';
  let base = '';
  for (const ch of d) {
    if (MARK.test(ch)) {
      if (
        OPTIONAL_POINTS.test(ch) ||
        FOLDED_BASE.test(base) ||
        (base.toLowerCase() === 'е' && ch === '\u0308')
      )
        continue;
      out += ch;
    } else {
      out += ch;
      base = ch;
    }
  }
  return out;
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
/** A month name or its abbreviation (with an optional full stop). */
const MONTH =
  '(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)(?:\\.|\\b)';
const DAY = '(\\d{1,2})(?:st|nd|rd|th)?';
const YEAR = '(\\d{4})';

function monthName(word: string): string {
  const w = word.replace('.', '');
  return MONTHS.find((m) => m.startsWith(w.slice(0, 3))) ?? w;
}

function dayMonthYear(day: string, month: string, year?: string): string {
  const d = Number(day);
  if (d < 1 || d > 31) return `${day} ${month}${year ? ` ${year}` : ''}`;
  return `${d} ${monthName(month)}${year ? ` ${year}` : ''}`;
}

const DATE_RULES: Array<[RegExp, (...m: string[]) => string]> = [
  // 1990-04-24
  [
    /\b(\d{4})-(\d{2})-(\d{2})\b/g,
    (all, y, m, d) =>
      Number(m) >= 1 && Number(m) <= 12 ? dayMonthYear(d!, MONTHS[Number(m) - 1]!, y) : all!,
  ],
  // 21/07/1969 (day over 12 first) and 3/14/1897 (day over 12 second); ambiguous ones stay.
  [
    /\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b/g,
    (all, a, b, y) => {
      const [x, z] = [Number(a), Number(b)];
      if (x > 12 && z >= 1 && z <= 12) return dayMonthYear(a!, MONTHS[z - 1]!, y);
      if (z > 12 && x >= 1 && x <= 12) return dayMonthYear(b!, MONTHS[x - 1]!, y);
      return all!;
    },
  ],
  // April 24th, 1990 / Apr. 24 1990 / April 24
  [
    new RegExp(`\\b${MONTH}\\s+${DAY}\\b(?:,?\\s+${YEAR}\\b)?`, 'g'),
    (_all, m, d, y) => dayMonthYear(d!, m!, y),
  ],
  // the 24th of April, 1990 / 24 April 1990 / 24 April
  [
    new RegExp(`\\b(?:the\\s+)?${DAY}\\s+(?:of\\s+)?${MONTH}(?:,?\\s+${YEAR}\\b)?`, 'g'),
    (_all, d, m, y) => dayMonthYear(d!, m!, y),
  ],
  // April 1990 / Apr. 1990
  [new RegExp(`\\b${MONTH}\\s+${YEAR}\\b`, 'g'), (_all, m, y) => `${monthName(m!)} ${y}`],
];

/** Dates to "d month yyyy" (lowercase text in, lowercase text out). */
function canonicalDates(t: string): string {
  if (!/\d/.test(t)) return t;
  for (const [re, fn] of DATE_RULES) t = t.replace(re, fn as (...m: string[]) => string);
  return t;
}

/**
 * Normalise an answer for comparison (see the module comment for every rule). Returns '' only
 * for input with no letters or digits.
 */
export function normalizeAnswer(s: string): string {
  let t = s.normalize('NFKC').replace(/\p{Cf}/gu, '');
  t = foldMarks(t)
    .normalize('NFC')
    .toLowerCase()
    .replace(LETTER_FOLD_RE, (c) => LETTER_FOLDS[c]!);
  t = canonicalDates(t);
  // "1,000,000" -> "1000000" (only groups of exactly three digits, so "3,4" is two numbers).
  t = t.replace(/(\d),(?=\d{3}(?!\d))/g, '$1');
  // An elided article leading the answer goes like "the"; elsewhere elisions are a word.
  t = t.replace(/^\s*l['\u2018\u2019\u02bc`](?=\p{L})/u, 'the ');
  t = t.replace(
    /(^|[^\p{L}\p{N}])(l|d|dell|dall|nell|sull|all|qu|un)['\u2018\u2019\u02bc`](?=\p{L})/gu,
    '$1$2 ',
  );
  // Other apostrophes join the word: "o'brien", "don't", "1990's".
  t = t.replace(/['\u2018\u2019\u02bc`]/g, '');
  // A minus sign (hyphen, U+2212 or en dash) starting a number is kept; between digits a dash
  // is a range. \u0001 and \u0000 protect the sign and a decimal point from the next step.
  t = t.replace(/(^|[^\p{L}\p{N}])[-\u2212\u2013](?=\d)/gu, '$1\u0001');
  t = t.replace(/(\d)\.(?=\d)/g, '$1\u0000');
  t = t.replace(/&/g, ' and ');
  // "minus 40" is "-40".
  t = t.replace(/\bminus\s+(?=\d)/g, '\u0001');
  // A + or # that ends a word is part of it: "AB+" (blood group), "C++", "C#".
  t = t.replace(
    /([\p{L}\p{N}])([+#]+)(?![\p{L}\p{N}])/gu,
    (_m, w: string, tail: string) => w + tail.replace(/\+/g, '\u0002').replace(/#/g, '\u0003'),
  );
  t = t.replace(/[\p{P}\p{S}]/gu, ' ');
  t = t.replace(/[\u0000-\u0003]/g, (c) => PROTECTED[c.charCodeAt(0)]!);
  const words = t
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((w) => NUMBER_WORDS.get(w) ?? w);
  // "The Beatles" -> "beatles", but "The The" stays itself and "A" is never emptied.
  if (words.length > 1 && ARTICLES.has(words[0]!) && !ARTICLES.has(words[1]!)) words.shift();
  return words.join(' ');
}

/** Words of a normalised answer ('' has none). */
export function wordsOf(normalized: string): string[] {
  return normalized === '' ? [] : normalized.split(' ');
}
