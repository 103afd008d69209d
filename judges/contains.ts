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
 * - refusals, also those that name what they do not know, are not attempted, and so is an answer
 *   made only of the question's words (a restatement);
 * - answers longer than `maxWords` normalised words are incorrect, unless an exact match.
 */
import { z } from 'zod';
import type { VerdictLabel } from '../env/types.ts';
import { fingerprintOf } from '../lib/hash.ts';
import { judgeError } from './errors.ts';
import { exactLabel } from './exact.ts';
import { isNonAnswer, stripHedges } from './hedges.ts';
import { normalizeAnswer, wordsOf } from './normalize.ts';
import { LONGEST_PLACE, placeTier } from './places.ts';
import type { Judge, JudgeItem, Verdict } from './types.ts';
import { assertValidItems, okVerdict, throwIfCancelled } from './verdicts.ts';

/** Bump when a change could change a verdict (it is part of the fingerprint). */
export const CONTAINS_JUDGE_VERSION = 2;

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

/** Clauses of raw text: split at punctuation that ends a clause, dashes between words, "but". */
function clausesOf(raw: string): string[] {
  return raw
    .split(/[,;:!?\n\u2026\u2014\u2013()[\]{}"]+|\.(?=\s|$)|\s-\s|\bbut\b/i)
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

/** Word index of every whole-word occurrence of `needle` in `hay`. */
function occurrences(hay: readonly string[], needle: readonly string[]): number[] {
  const at: number[] = [];
  if (needle.length === 0) return at;
  for (let i = 0; i + needle.length <= hay.length; i++) {
    if (needle.every((w, j) => hay[i + j] === w)) at.push(i);
  }
  return at;
}

/** `words` with every occurrence of each needle (longest first) cut out. */
function without(words: readonly string[], needles: readonly (readonly string[])[]): string[] {
  const rest = [...words];
  for (const n of needles) {
    for (const i of occurrences(rest, n).reverse()) rest.splice(i, n.length);
  }
  return rest;
}

/** Count of list markers in raw text. */
function listMarkers(raw: string): number {
  const words = wordsOf(normalizeAnswer(raw)).filter((w) => LIST_WORDS.has(w)).length;
  return words + (raw.match(LIST_SEPARATORS) ?? []).length;
}

interface Context {
  golds: string[][];
  goldWords: Set<string>;
  goldTier: number;
  goldHasYear: boolean;
  asked: Set<string>;
}

function contextOf(item: JudgeItem): Context {
  const golds = item.answers
    .map((a) => wordsOf(normalizeAnswer(a)))
    .filter((g) => g.length > 0)
    .sort((a, b) => b.length - a.length);
  const q = wordsOf(normalizeAnswer(item.question));
  const alternative = q.includes('or');
  return {
    golds,
    goldWords: new Set(golds.flat()),
    goldTier: Math.max(0, ...golds.map((g) => placeTier(g.join(' ')))),
    goldHasYear: golds.some((g) => g.some((w) => /^\d{4}$/.test(w))),
    asked: alternative ? new Set() : new Set(q),
  };
}

/** Words left over that are neither allowed nor part of a larger place; [] when all are fine. */
function disallowed(rest: readonly string[], ctx: Context): string[] {
  const bad: string[] = [];
  const hasMonth = rest.some((w) => MONTHS.has(w));
  for (let i = 0; i < rest.length; ) {
    let placeLen = 0;
    for (let n = Math.min(LONGEST_PLACE, rest.length - i); n >= 1; n--) {
      if (placeTier(rest.slice(i, i + n).join(' ')) > ctx.goldTier) {
        placeLen = n;
        break;
      }
    }
    if (placeLen > 0) {
      i += placeLen;
      continue;
    }
    const w = rest[i]!;
    const fine =
      ctx.goldWords.has(w) ||
      (CARRIER.has(w) && !/\d/.test(w)) ||
      (ctx.asked.has(w) && !LIST_WORDS.has(w)) ||
      (ctx.goldHasYear && MONTHS.has(w)) ||
      (ctx.goldHasYear && hasMonth && /^\d{1,2}$/.test(w) && Number(w) >= 1 && Number(w) <= 31);
    if (!fine) bad.push(w);
    i++;
  }
  return bad;
}

/** Decide one item by the contains rules (exported for tests, the panel and `judge eval`). */
export function containsDecision(item: JudgeItem, maxWords = 10): ContainsDecision {
  if (exactLabel(item) === 'correct') return { label: 'correct', reason: 'exact match' };
  if (isNonAnswer(item.prediction, item.question))
    return { label: 'not_attempted', reason: 'no committed answer' };
  const ctx = contextOf(item);
  const { text, retracted } = afterRetraction(item.prediction);
  const words = wordsOf(normalizeAnswer(text));
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
  let clauses = clausesOf(text);
  const holds = (c: string) =>
    found.some((g) => occurrences(wordsOf(normalizeAnswer(c)), g).length > 0);
  // A gold split by a clause break ("E. M. Forster", "Washington, D.C.") is read whole.
  if (!clauses.some(holds)) clauses = [text];
  let committed = false;
  const extra: string[] = [];
  for (const clause of clauses) {
    const cw = wordsOf(stripHedges(normalizeAnswer(clause)));
    const holdsGold = found.some((g) => occurrences(cw, g).length > 0);
    const rest = without(cw, ctx.golds);
    const negated = rest.some((w) => NEGATIONS.has(w));
    if (negated && !holdsGold) continue; // a rejected candidate: "Canberra, not Sydney"
    if (negated) continue; // the gold itself is negated here
    if (holdsGold) committed = true;
    extra.push(...rest);
  }
  if (!committed) return { label: 'incorrect', reason: 'gold answer only negated' };
  const bad = disallowed(extra, ctx);
  if (bad.length > 0) {
    return { label: 'incorrect', reason: `words beyond the gold: ${bad.slice(0, 3).join(' ')}` };
  }
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
