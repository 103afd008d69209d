/**
 * The `contains` judge: a gold alias appears, as a whole-word sequence, in a short committed
 * answer. Guarded so that listing candidates or rambling cannot collect the reward.
 */
import { z } from 'zod';
import { fingerprintOf } from '../lib/hash.ts';
import { judgeError } from './errors.ts';
import { exactLabel } from './exact.ts';
import { isNonAnswer } from './hedges.ts';
import { normalizeAnswer, wordsOf } from './normalize.ts';
import type { Judge, JudgeItem, Verdict, VerdictLabel } from './types.ts';
import { assertValidItems, okVerdict, throwIfCancelled } from './verdicts.ts';

/** Bump when a change could change a verdict (it is part of the fingerprint). */
export const CONTAINS_JUDGE_VERSION = 1;

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

/** Words that join alternatives: "Paris or Lyon", "either...", "Paris and Lyon". */
const LIST_WORDS = ['or', 'either', 'and', 'nor'];

/** Count of list markers in raw text: joining words, and ; / & | separators. */
function listMarkers(raw: string): { words: number; commas: number; separators: number } {
  const words = wordsOf(normalizeAnswer(raw)).filter((w) => LIST_WORDS.includes(w)).length;
  const commas = commaSegments(raw).length - 1;
  const separators = (raw.match(/[;/&|]/g) ?? []).length;
  return { words, commas, separators };
}

/**
 * Comma-separated parts that say something: thousands separators are not commas, and a part
 * that is only a hedge ("Not sure, maybe Paris") is not a candidate.
 */
function commaSegments(raw: string): string[] {
  const parts = raw.replace(/(\d),(?=\d{3}(?!\d))/g, '$1').split(',');
  const committed = parts.filter((p) => !isNonAnswer(p));
  return committed.length > 0 ? committed : [raw];
}

/**
 * True when the prediction offers alternatives beyond what the matched alias itself contains:
 * more joining words or separators than the alias, two or more commas, or one comma with the
 * alias outside the first segment ("Paris, France" is a refinement; "Lyon, Paris" is a list).
 */
function listsCandidates(prediction: string, alias: string): boolean {
  const p = listMarkers(prediction);
  const a = listMarkers(alias);
  if (p.words > a.words || p.separators > a.separators) return true;
  const extraCommas = p.commas - a.commas;
  if (extraCommas >= 2) return true;
  if (extraCommas === 1) {
    const first = normalizeAnswer(commaSegments(prediction)[0] ?? '');
    return !containsWords(first, normalizeAnswer(alias));
  }
  return false;
}

/** Whole-word containment of one normalised string in another. */
function containsWords(haystack: string, needle: string): boolean {
  return needle !== '' && ` ${haystack} `.includes(` ${needle} `);
}

/** Decide one item by the contains rules (exported for tests, the panel and `judge eval`). */
export function containsDecision(item: JudgeItem, maxWords = 10): ContainsDecision {
  if (exactLabel(item) === 'correct') return { label: 'correct', reason: 'exact match' };
  if (isNonAnswer(item.prediction))
    return { label: 'not_attempted', reason: 'no committed answer' };
  const pred = normalizeAnswer(item.prediction);
  const matched = item.answers.filter((a) => containsWords(pred, normalizeAnswer(a)));
  if (matched.length === 0) return { label: 'incorrect', reason: 'no gold answer in the answer' };
  if (wordsOf(pred).length > maxWords) {
    return { label: 'incorrect', reason: `answer longer than ${maxWords} words` };
  }
  if (matched.every((a) => listsCandidates(item.prediction, a))) {
    return { label: 'incorrect', reason: 'answer lists several candidates' };
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
