/**
 * The `contains` judge: a gold alias appears, as a whole-word sequence, in a short answer that
 * commits to it and to nothing else.
 *
 * A policy under optimisation pays for whatever the judge lets through, so the rule is an
 * allow-list, not a list of forbidden separators: apart from the gold, an answer may hold only
 * carrier words ("it is", "I think", "probably"), words of the question (unless the question
 * offers alternatives: "Mars or Venus?"), words of any gold alias, a month and day around a gold
 * year ("20 July 1969" for "1969"), a place larger than the gold ("Kyoto, Japan"), and clauses
 * that are negated ("Canberra, not Sydney"). So "Paris Lyon", "Paris - Lyon", "1. Paris 2. Lyon",
 * "West Virginia" for "Virginia" and "Guinea-Bissau" for "Guinea" all fail, whatever separates
 * the candidates. On top of that:
 *
 * - a retraction keeps only what follows it ("Canberra. No wait, Sydney." is "Sydney");
 * - a gold that appears only in negated clauses is not an answer ("Not Canberra, it is Sydney");
 * - list words and separators beyond the alias's own ("or", "vs", "/", "|", "+", "•", a
 *   newline) mean a list, even between allowed words;
 * - so does naming, outside a negated clause, another alternative the question offers ("marley
 *   and i is marley and me" for "is it marley and me or marley and i"), even in allowed words;
 * - refusals, also those that name what they do not know, are not attempted, and so is an answer
 *   made only of the question's words (a restatement);
 * - answers longer than `maxWords` normalised words are incorrect, unless an exact match;
 * - a gold alias that the question itself spells out ("Pugilism" for "The traditional sport of
 *   'pugilism' is nowadays called?") is not paid, alone or inside a longer answer: otherwise
 *   restating the question would be (4.9% of the prepared TriviaQA train questions spell out
 *   an alias, more than SmolLM2-135M's honest accuracy). The same rule as `exact`'s, in
 *   judges/restated.ts: a question that offers the gold as an alternative ("Mars or Venus?"),
 *   or spells out every alias, keeps them all.
 */
import { z } from 'zod';
import { fingerprintOf } from '../lib/hash.ts';
import { judgeError } from './errors.ts';
import { exactLabel } from './exact.ts';
import { isNonAnswer, stripHedges } from './hedges.ts';
import { normalizeAnswer, wordsOf } from './normalize.ts';
import { placeTier } from './places.ts';
import { occurrences, offeredAlternatives, payableAnswers } from './restated.ts';
import type { Judge, JudgeItem, Verdict, VerdictLabel } from './types.ts';
import { assertValidItems, okVerdict, throwIfCancelled } from './verdicts.ts';

/**
 * Bump when a change could change a verdict (it is part of the fingerprint). 4: an exact match
 * of an alias the question spells out is not paid either, and "offers alternatives" means the
 * alias stands next to an "or" that joins them, not any "or" in the question (judges/restated.ts).
 * 5: an answer that also names another alternative the question offers is a list, even when
 * that alternative is made of allowed words only (gold words and carriers).
 */
export const CONTAINS_JUDGE_VERSION = 5;

export const containsOptionsSchema = z
  .object({
    /** Answers longer than this many normalised words are incorrect (unless an exact match). */
    maxWords: z.number().int().positive().default(10),
  })
  .strict();
export type ContainsOptions = z.input<typeof containsOptionsSchema>;

export interface ContainsDecision {
  label: VerdictLabel;
  /** Why, in a few words (goes into Verdict.reasoning). */
  reason: string;
}

/** Words that frame an answer without adding a candidate. */
const CARRIER = new Set(
  (
    'it its is was were are am be been the a an answer i im think believe guess probably ' +
    'likely maybe perhaps possibly definitely certainly surely pretty sure fairly quite very ' +
    'confident that thats this would should could called named known as final my in of from ' +
    'by at on located situated about around approximately roughly nearly almost exactly ' +
    'precisely which who whose also he she they his her their there it s sir dame dr mr mrs ms ' +
    'lord lady saint st rev well so yes ok okay correct right one if say said that s ' +
    'actually really indeed obviously clearly course simply just ' +
    'city town country river lake island band group film movie song album book novel person'
  ).split(' '),
);

/** Words that negate the clause they are in ("not", "isn't", "wrong"). */
const NEGATIONS = new Set(
  'not no never isnt wasnt arent werent doesnt didnt aint nor neither wrong incorrect false nope'.split(
    ' ',
  ),
);

/** Words that join alternatives. */
const LIST_WORDS = new Set(['or', 'either', 'nor', 'and', 'vs', 'versus', 'plus', 'then']);
/** Separators that join alternatives, counted on raw text. */
const LIST_SEPARATORS = /[;/&|+•·~>\n\t\u2028\u2029\u3001\uff0c\uff1b]/g;

const MONTHS = new Set(
  'january february march april may june july august september october november december'.split(
    ' ',
  ),
);

/**
 * Retraction markers, only where a new clause starts: "X. No wait, Y", "X... actually Y",
 * "X, I mean Y", "X. Correction: Y", "X? No." (the answer is what follows the last one).
 */
const RETRACTION =
  /(?:^|[.?!,;:\u2026\u2014\u2013-]\s*|\s+-\s+)(?:no,?\s*wait|wait,?\s*no|hmm+,?\s*actually|wait|actually|correction|scratch that|i mean|or rather|make that|on second thought|no)(?=$|[\s.?!,;:\u2014\u2013-])[\s.?!,;:\u2014\u2013-]*/gi;

/** The committed part of an answer: what follows its last retraction ('' when nothing does). */
export function afterRetraction(raw: string): { text: string; retracted: boolean } {
  let last = -1;
  for (const m of raw.matchAll(RETRACTION)) {
    if (m.index !== undefined && m[0].trim() !== '' && m.index + m[0].length > 0) {
      last = m.index + m[0].length;
    }
  }
  return last < 0 ? { text: raw, retracted: false } : { text: raw.slice(last), retracted: true };
}

/** Where a clause ends: punctuation, brackets and quotes, a dash between words, "but". A comma
 * before a year ("April 24, 1990") and a full stop inside a word ("D.C.") do not end one. */
const CLAUSE_BREAK =
  /,(?!\s*\d{4}\b)|[;:!?\n\u2026\u2014\u2013()[\]{}"]+|\.(?=\s|$)|\s-\s|\bbut\b/gi;
/** Marks a clause break through normalisation (a private-use character is a letter-like word). */
const BREAK = '\ue000';

/** Hedging qualifiers: two of them qualify two candidates ("Probably X, possibly Y"). */
const QUALIFIERS = new Set(['maybe', 'perhaps', 'possibly', 'probably', 'likely']);
/** Phrases that offer a fallback candidate ("X if not Y", "X, unless it is Y"). */
const FALLBACKS = / (?:if not|unless|or else|otherwise|else|alternatively|failing that) /;
/** Questions whose answer is a place, where a larger place may follow it ("Kyoto, Japan"). */
const PLACE_QUESTION =
  /\b(?:where|city|town|village|capital|located|place|region|province|county|headquarters|born|country|state)\b/i;

interface Token {
  word: string;
  clause: number;
}

/** Words of normalised text, each tagged with the clause it stands in. */
function tokensOf(raw: string): Token[] {
  const marked = raw.replace(CLAUSE_BREAK, ` ${BREAK} `);
  const tokens: Token[] = [];
  let clause = 0;
  for (const w of wordsOf(normalizeAnswer(marked))) {
    if (w === BREAK) clause++;
    else tokens.push({ word: w, clause });
  }
  return tokens;
}

/** Count of list markers in raw text. */
function listMarkers(raw: string): number {
  const n = normalizeAnswer(raw);
  const words = wordsOf(n).filter((w) => LIST_WORDS.has(w)).length;
  return words + (raw.match(LIST_SEPARATORS) ?? []).length + (FALLBACKS.test(` ${n} `) ? 1 : 0);
}

interface Context {
  golds: string[][];
  goldWords: Set<string>;
  goldTier: number;
  goldHasYear: boolean;
  /** A larger place may refine the answer. */
  placeRefines: boolean;
  asked: Set<string>;
  /**
   * The alternatives the question offers that are not (part of) a payable gold: naming one of
   * them beside the gold is a list, even when all its words are allowed ones.
   */
  otherAlternatives: string[][];
}

function contextOf(item: JudgeItem): Context {
  const q = wordsOf(normalizeAnswer(item.question));
  // Any "or" keeps the question's words out of the allowed ones ("Venus Mars" is a list).
  const alternative = q.includes('or');
  const golds = payableAnswers(item.question, item.answers)
    .map((a) => wordsOf(normalizeAnswer(a)))
    .filter((g) => g.length > 0)
    .sort((a, b) => b.length - a.length);
  const numeric = golds.some((g) => g.some((w) => /\d/.test(w)));
  return {
    golds,
    goldWords: new Set(golds.flat()),
    goldTier: Math.max(0, ...golds.map((g) => placeTier(g.join(' ')))),
    goldHasYear: golds.some((g) => g.some((w) => /^\d{4}$/.test(w))),
    placeRefines: !numeric && PLACE_QUESTION.test(item.question),
    asked: alternative ? new Set() : new Set(q),
    otherAlternatives: alternative
      ? offeredAlternatives(item.question).filter(
          (run) =>
            run.some((w) => !CARRIER.has(w)) && !golds.some((g) => occurrences(g, run).length > 0),
        )
      : [],
  };
}

/** True when a clause's leftover words are one place larger than the gold, after "in"/"the". */
function isRefiningPlace(rest: readonly string[], ctx: Context): boolean {
  const core = rest.filter((w, i) => !(i === 0 && (w === 'in' || w === 'the')));
  return ctx.placeRefines && core.length > 0 && placeTier(core.join(' ')) > ctx.goldTier;
}

/** Leftover words that are not allowed ([] when all are fine). */
function disallowed(rest: readonly string[], ctx: Context): string[] {
  const hasMonth = rest.some((w) => MONTHS.has(w));
  return rest.filter((w) => {
    const fine =
      ctx.goldWords.has(w) ||
      (CARRIER.has(w) && !/\d/.test(w)) ||
      (ctx.asked.has(w) && !LIST_WORDS.has(w)) ||
      (ctx.goldHasYear && MONTHS.has(w)) ||
      (ctx.goldHasYear && hasMonth && /^\d{1,2}$/.test(w) && Number(w) >= 1 && Number(w) <= 31);
    return !fine;
  });
}

/** Decide one item by the contains rules (exported for tests, the panel and `judge eval`). */
export function containsDecision(item: JudgeItem, maxWords = 10): ContainsDecision {
  if (exactLabel(item) === 'correct') return { label: 'correct', reason: 'exact match' };
  if (isNonAnswer(item.prediction, item.question))
    return { label: 'not_attempted', reason: 'no committed answer' };
  const ctx = contextOf(item);
  const { text, retracted } = afterRetraction(item.prediction);
  const tokens = tokensOf(text);
  const words = tokens.map((t) => t.word);
  if (words.length === 0) return { label: 'incorrect', reason: 'retracted without an answer' };
  const found = ctx.golds.filter((g) => occurrences(words, g).length > 0);
  if (found.length === 0) {
    const restates = words.every((w) => ctx.asked.has(w) || CARRIER.has(w));
    return restates && !retracted
      ? { label: 'not_attempted', reason: 'only restates the question' }
      : { label: 'incorrect', reason: 'no gold answer in the answer' };
  }
  if (words.length > maxWords) {
    return { label: 'incorrect', reason: `answer longer than ${maxWords} words` };
  }
  const alias = found[0]!.join(' ');
  const matchedRaw = item.answers.find((a) => normalizeAnswer(a) === alias) ?? alias;
  if (listMarkers(text) > listMarkers(matchedRaw)) {
    return { label: 'incorrect', reason: 'answer lists several candidates' };
  }
  if (words.filter((w) => QUALIFIERS.has(w)).length > 1) {
    return { label: 'incorrect', reason: 'hedges several candidates' };
  }
  // Cover gold occurrences, longest alias first, without overlaps.
  const covered = new Array<boolean>(words.length).fill(false);
  const spans: Array<[number, number]> = [];
  for (const g of found) {
    for (const i of occurrences(words, g)) {
      if (covered.slice(i, i + g.length).some(Boolean)) continue;
      for (let j = i; j < i + g.length; j++) covered[j] = true;
      spans.push([i, i + g.length]);
    }
  }
  // A word right before or after a gold that is not a number makes another name ("New
  // Wellington", "Washington State", "New New Delhi"), unless it is a carrier ("it is Paris").
  const numericGold = (s: [number, number]) => words.slice(s[0], s[1]).some((w) => /\d/.test(w));
  for (const s of spans) {
    const sameClause = (a: number, b: number) => tokens[a]!.clause === tokens[b]!.clause;
    if (numericGold(s)) continue; // "April 15, 1912", "about 206 bones"
    const neighbours = [
      s[0] > 0 && sameClause(s[0] - 1, s[0]) ? s[0] - 1 : -1,
      s[1] < words.length && sameClause(s[1], s[1] - 1) ? s[1] : -1,
    ];
    for (const at of neighbours) {
      const w = words[at];
      if (at >= 0 && w !== undefined && !covered[at] && !CARRIER.has(w)) {
        return { label: 'incorrect', reason: `a different name: ${w} next to the gold` };
      }
    }
  }
  const clauses = Math.max(...tokens.map((t) => t.clause)) + 1;
  const restOf = (k: number) =>
    wordsOf(
      stripHedges(
        tokens
          .filter((t, i) => t.clause === k && !covered[i])
          .map((t) => t.word)
          .join(' '),
      ),
    );
  const negated = Array.from({ length: clauses }, (_, k) =>
    restOf(k).some((w) => NEGATIONS.has(w)),
  );
  const committed = spans.some(([a, b]) => !tokens.slice(a, b).some((t) => negated[t.clause]));
  if (!committed) return { label: 'incorrect', reason: 'gold answer only negated' };
  const holdsGold = new Set(spans.flatMap(([a, b]) => tokens.slice(a, b).map((t) => t.clause)));
  const firstGoldClause = Math.min(...holdsGold);
  const extra: string[] = [];
  const kept: string[][] = [];
  for (let k = 0; k < clauses; k++) {
    const rest = restOf(k);
    if (negated[k]) continue; // a rejected candidate ("Canberra, not Sydney") or a negated gold
    if (k > firstGoldClause && !holdsGold.has(k) && isRefiningPlace(rest, ctx)) continue; // "Kyoto, Japan"
    extra.push(...rest);
    kept.push(rest);
  }
  const bad = disallowed(extra, ctx);
  if (bad.length > 0) {
    return { label: 'incorrect', reason: `words beyond the gold: ${bad.slice(0, 3).join(' ')}` };
  }
  // "marley and i is marley and me" for "is it marley and me or marley and i": every word is
  // allowed (gold words and the carrier "i"), but the answer names both alternatives
  const other = ctx.otherAlternatives.find((run) =>
    kept.some((rest) => occurrences(rest, run).length > 0),
  );
  if (other) return { label: 'incorrect', reason: `names another alternative: ${other.join(' ')}` };
  return { label: 'correct', reason: 'gold answer contained' };
}

export class ContainsJudge implements Judge {
  readonly id = 'contains';
  readonly fingerprint: string;
  private readonly maxWords: number;

  constructor(options: ContainsOptions = {}) {
    const parsed = containsOptionsSchema.safeParse(options);
    if (!parsed.success) {
      throw judgeError('FR_ERR_JUDGE_INVALID_SPEC', `contains options: ${parsed.error.message}`);
    }
    this.maxWords = parsed.data.maxWords;
    this.fingerprint = fingerprintOf({
      id: 'contains',
      version: CONTAINS_JUDGE_VERSION,
      settings: parsed.data,
    });
  }

  async judge(
    items: readonly JudgeItem[],
    opts: { signal?: AbortSignal } = {},
  ): Promise<Verdict[]> {
    assertValidItems(items);
    throwIfCancelled(opts.signal);
    return items.map((item) => {
      const start = performance.now();
      const d = containsDecision(item, this.maxWords);
      return okVerdict(this.id, d.label, performance.now() - start, { reasoning: d.reason });
    });
  }
}
