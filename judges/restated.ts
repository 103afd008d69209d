/**
 * The gold aliases a judge may pay for, given the question: an alias the question itself spells
 * out is no evidence of recall, so it is dropped, unless the question offers it as an
 * alternative or spells out every alias.
 *
 * Why: TriviaQA's aliases are Wikipedia redirects of the answer, so "A 'Comedo' is the medical
 * name for what?" lists "Comedo" among the aliases of Blackhead, and "Which Mexican revolutionary
 * was born Doroteo Arango in 1878?" lists "Doroteo Arango" among Pancho Villa's. Paying those
 * pays "repeat the quoted word from the question", which a policy under GRPO finds: 5.2% of the
 * prepared TriviaQA questions spell out an alias, several times a small model's honest accuracy
 * (docs/judges.md, "Aliases the question spells out", has the counts per dataset).
 *
 * The two exceptions keep answers the question rightly holds:
 *
 * - **Alternatives.** "Which is larger, Mars or Venus?" (gold Venus), "A 'wherry' is a Drink;
 *   Cheese; Wind; or Boat?", "is jaffa cakes a biscuit or a cake". The question offers the gold
 *   when one of its spelled-out aliases stands right next to an "or" that joins alternatives
 *   (one article allowed between: "or the Beatles"), or next to a comma or semicolon of the
 *   list that "or" ends. An "or" that opens its clause ("Daltonism (or deuteranopia)") gives
 *   another name, not a choice, and so does every "or" in that clause. A bare "or" somewhere
 *   in the question is not enough: "the fear of strangers or foreigners" is caught, but "the
 *   loss of hair from the head or body" (gold Alopecia) no longer pays "loss of hair".
 * - **Every alias spelled out.** "How many CDs did the original Seiken Densetsu 3 soundtrack
 *   include?" (gold 3), "who won the first football game between Emory and Henry College and
 *   Virginia Tech" (gold Emory & Henry College): the question holds its only gold, and dropping
 *   it would make a correct answer unpayable; what is paid is still only the gold.
 *
 * The first answer is not used as a "primary" whose presence in the question would mark an
 * A-or-B question: only PopQA's first answer is its primary value. TriviaQA in DPR's form lists
 * the aliases in no canonical order ("Villistas" first for Pancho Villa, "Bendgate" first for
 * "...concerned version 6 of which famous product?"), NQ-open's answers are unordered annotator
 * spans, and SimpleQA has one answer. The cost: a PopQA question whose answer is in its subject
 * ("What sport does Kiribati men's national basketball team play?") pays "hoops" but no longer
 * "basketball" — an answer copied from the question, not recalled.
 */
import { normalizeAnswer, wordsOf } from './normalize.ts';

/** Clause and list marks carried through normalisation (private-use characters are kept). */
const CLAUSE = '\ue000';
const LIST = '\ue001';
const CLAUSE_BREAK = /[()[\]{}?!:\u2026\u2014\u2013]|\.(?=\s|$)|\s-\s/g;
/** A comma before a year is a date's ("October 29, 1929"), not a list's. */
const LIST_BREAK = /;|,(?!\s*\d{4}\b)/g;
const ARTICLES = new Set(['a', 'an', 'the']);

/** Word index of every whole-word occurrence of `needle` in `hay` (contains uses it too). */
export function occurrences(hay: readonly string[], needle: readonly string[]): number[] {
  const at: number[] = [];
  if (needle.length === 0) return at;
  for (let i = 0; i + needle.length <= hay.length; i++) {
    if (needle.every((w, j) => hay[i + j] === w)) at.push(i);
  }
  return at;
}

const isMark = (t: string | undefined) => t === CLAUSE || t === LIST;

/**
 * [first, last] token index of every occurrence of `needle` in marked tokens, marks inside it
 * skipped ("Crane, Poole & Schmidt" holds list marks).
 */
function spans(tokens: readonly string[], needle: readonly string[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (needle.length === 0) return out;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] !== needle[0]) continue;
    let k = i;
    let j = 1;
    while (j < needle.length) {
      k++;
      while (isMark(tokens[k])) k++;
      if (tokens[k] !== needle[j]) break;
      j++;
    }
    if (j === needle.length) out.push([i, k]);
  }
  return out;
}

/** Marked question words: clause breaks and list separators survive as tokens of their own. */
function markedWords(question: string, normalize: (s: string) => string): string[] {
  const marked = question.replace(CLAUSE_BREAK, ` ${CLAUSE} `).replace(LIST_BREAK, ` ${LIST} `);
  return wordsOf(normalize(marked));
}

/**
 * Token positions that border an offered alternative: for each "or" joining alternatives, the
 * position just before it (an item ends there) and just after it (an item starts there), and
 * the same around each list separator of its clause that comes before it.
 * `ends` holds the index of an item's last word, `starts` its first word.
 */
function alternativeBorders(tokens: readonly string[]): { ends: Set<number>; starts: Set<number> } {
  const ends = new Set<number>();
  const starts = new Set<number>();
  const startAt = (i: number) => {
    starts.add(i);
    if (ARTICLES.has(tokens[i] ?? '')) starts.add(i + 1);
  };
  let clauseStart = 0;
  for (let i = 0; i <= tokens.length; i++) {
    if (i < tokens.length && tokens[i] !== CLAUSE) continue;
    const clause = tokens.slice(clauseStart, i);
    const first = clause.find((t) => t !== LIST);
    if (first !== 'or') {
      clause.forEach((t, k) => {
        if (t !== 'or' || k === 0) return;
        const at = clauseStart + k;
        // "; or Boat": the item before the "or" ends before the separator.
        ends.add(tokens[at - 1] === LIST ? at - 2 : at - 1);
        startAt(at + 1);
        for (let j = clauseStart; j < at; j++) {
          if (tokens[j] !== LIST) continue;
          ends.add(j - 1);
          startAt(j + 1);
        }
      });
    }
    clauseStart = i + 1;
  }
  return { ends, starts };
}

/**
 * The answers a judge may pay for (a subset of `answers`, in their order): all of them, except
 * those the question spells out when it neither offers one of those as an alternative nor spells
 * out every alias. `normalize` is normalizeAnswer or a memo of it.
 */
export function payableAnswers(
  question: string,
  answers: readonly string[],
  normalize: (s: string) => string = normalizeAnswer,
): readonly string[] {
  const asked = wordsOf(normalize(question));
  const golds = answers.map((a) => wordsOf(normalize(a)));
  const spelled = golds.map((g) => occurrences(asked, g).length > 0);
  const spelledCount = spelled.filter(Boolean).length;
  if (spelledCount === 0 || spelledCount === golds.filter((g) => g.length > 0).length) {
    return answers;
  }
  // Where the question's clauses and lists are: marks kept through normalisation. An alias
  // the marked form does not hold (normalisation read it differently) is not offered.
  const tokens = markedWords(question, normalize);
  const { ends, starts } = alternativeBorders(tokens);
  const offered = golds.some(
    (g, i) => spelled[i] && spans(tokens, g).some(([a, b]) => starts.has(a) || ends.has(b)),
  );
  return offered ? answers : answers.filter((_, i) => !spelled[i]);
}

/** Longest alternative read from a question, in words ("Marley & Me" is 3). */
const MAX_ALTERNATIVE_WORDS = 4;

/**
 * The alternatives a question offers, as normalised word runs: for each border of an offered
 * alternative (alternativeBorders), the runs of 1 to MAX_ALTERNATIVE_WORDS words that start or
 * end there, inside one clause and list item. Only one end of an item is marked ("is it Marley
 * and Me or Marley and I": the first item ends at "me", but where it starts is not), so every
 * run up to the length cap is returned; the caller keeps those that name something other than
 * a gold. [] when the question offers no alternatives.
 */
export function offeredAlternatives(
  question: string,
  normalize: (s: string) => string = normalizeAnswer,
): string[][] {
  const tokens = markedWords(question, normalize);
  const { ends, starts } = alternativeBorders(tokens);
  const runs = new Map<string, string[]>();
  const add = (a: number, b: number) => {
    const run = tokens.slice(a, b + 1);
    if (run.length === 0 || run.some((t) => isMark(t) || t === 'or')) return;
    runs.set(run.join(' '), run);
  };
  for (const s of starts)
    for (let n = 1; n <= MAX_ALTERNATIVE_WORDS && s + n - 1 < tokens.length; n++) add(s, s + n - 1);
  for (const e of ends)
    for (let n = 1; n <= MAX_ALTERNATIVE_WORDS && e - n + 1 >= 0; n++) add(e - n + 1, e);
  return [...runs.values()];
}

/** The normalised payable golds, blanks left out: what exact match compares a prediction to. */
export function payableGolds(
  question: string,
  answers: readonly string[],
  normalize: (s: string) => string = normalizeAnswer,
): ReadonlySet<string> {
  const golds = payableAnswers(question, answers, normalize).map(normalize);
  return new Set(golds.filter((g) => g !== ''));
}

/**
 * payableGolds behind a bounded memo keyed by the question (its answers are checked on every
 * hit). Every episode of a group and every epoch asks again for the same item's golds, and this
 * is on the env's step path; payableGolds is a pure function of (question, answers) for a pure
 * `normalize`, so a hit returns what a call would. When full the memo is cleared (memory up to
 * the bound, never more).
 */
export function memoizedPayableGolds(
  normalize: (s: string) => string,
  limit: number,
): (item: { question: string; answers: readonly string[] }) => ReadonlySet<string> {
  const memo = new Map<string, { answers: readonly string[]; golds: ReadonlySet<string> }>();
  return ({ question, answers }) => {
    const hit = memo.get(question);
    if (
      hit !== undefined &&
      (hit.answers === answers ||
        (hit.answers.length === answers.length && hit.answers.every((a, i) => a === answers[i])))
    ) {
      return hit.golds;
    }
    const golds = payableGolds(question, answers, normalize);
    if (memo.size >= limit) memo.clear();
    memo.set(question, { answers: [...answers], golds });
    return golds;
  };
}
