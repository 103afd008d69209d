/**
 * The `exact` judge: normalised exact match against any gold alias the question does not itself
 * spell out (judges/restated.ts: "A 'Comedo' is the medical name for what?" does not pay
 * "Comedo", though TriviaQA lists it among Blackhead's aliases; "Which is larger, Mars or
 * Venus?" still pays "Venus").
 */

import { fingerprintOf } from '../lib/hash.ts';
import { normalizeAnswer } from './normalize.ts';
import { memoizedPayableGolds, payableGolds } from './restated.ts';
import type { Judge, JudgeItem, Verdict, VerdictLabel } from './types.ts';
import { judgeEach } from './verdicts.ts';

/**
 * Bump when a change could change a verdict (it is part of the fingerprint). 2: aliases the
 * question spells out are not paid (judges/restated.ts).
 */
export const EXACT_JUDGE_VERSION = 2;

/**
 * The label exact match gives: not_attempted for a blank prediction, correct when the
 * normalised prediction equals any normalised payable alias (payableGolds; `golds` may be its
 * memo), else incorrect.
 */
export function exactLabel(
  item: JudgeItem,
  normalize: (s: string) => string = normalizeAnswer,
  golds: (item: JudgeItem) => ReadonlySet<string> = (i) =>
    payableGolds(i.question, i.answers, normalize),
): VerdictLabel {
  const pred = normalize(item.prediction);
  if (pred === '') return 'not_attempted';
  return golds(item).has(pred) ? 'correct' : 'incorrect';
}

/** Entries a judge's normalisation memo holds before it starts over (a few MiB at most). */
export const NORMALIZE_MEMO_ENTRIES = 65_536;

/**
 * normalizeAnswer behind a bounded memo. The same gold aliases come back for every episode of
 * a group and every epoch, and normalising is most of a step's CPU on the in-process env
 * (benchmarks/README.md, "what bounds the in-process env"). normalizeAnswer is a pure function
 * of its string, so a hit returns exactly what a call would; when full the memo is cleared,
 * so adversarial predictions cost memory up to the bound, never more.
 */
export function memoizedNormalize(limit = NORMALIZE_MEMO_ENTRIES): (s: string) => string {
  const memo = new Map<string, string>();
  return (s) => {
    let t = memo.get(s);
    if (t === undefined) {
      t = normalizeAnswer(s);
      if (memo.size >= limit) memo.clear();
      memo.set(s, t);
    }
    return t;
  };
}

/** True when the prediction matches an alias exactly after normalisation. */
export function isExactMatch(item: JudgeItem): boolean {
  return exactLabel(item) === 'correct';
}

export class ExactJudge implements Judge {
  readonly id = 'exact';
  readonly fingerprint = fingerprintOf({ id: 'exact', version: EXACT_JUDGE_VERSION });
  private readonly normalize = memoizedNormalize();
  private readonly golds = memoizedPayableGolds(this.normalize, NORMALIZE_MEMO_ENTRIES);

  async judge(
    items: readonly JudgeItem[],
    opts: { signal?: AbortSignal } = {},
  ): Promise<Verdict[]> {
    return judgeEach(this.id, items, opts.signal, (item) =>
      exactLabel(item, this.normalize, this.golds),
    );
  }
}
