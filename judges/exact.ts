/** The `exact` judge: normalised exact match against any gold alias. */

import { fingerprintOf } from '../lib/hash.ts';
import { normalizeAnswer } from './normalize.ts';
import type { Judge, JudgeItem, Verdict, VerdictLabel } from './types.ts';
import { judgeEach } from './verdicts.ts';

/** Bump when a change could change a verdict (it is part of the fingerprint). */
export const EXACT_JUDGE_VERSION = 1;

/**
 * The label exact match gives: not_attempted for a blank prediction, correct when the
 * normalised prediction equals any normalised alias, else incorrect.
 */
export function exactLabel(item: JudgeItem): VerdictLabel {
  const pred = normalizeAnswer(item.prediction);
  if (pred === '') return 'not_attempted';
  return item.answers.some((a) => normalizeAnswer(a) === pred) ? 'correct' : 'incorrect';
}

/** True when the prediction matches an alias exactly after normalisation. */
export function isExactMatch(item: JudgeItem): boolean {
  return exactLabel(item) === 'correct';
}

export class ExactJudge implements Judge {
  readonly id = 'exact';
  readonly fingerprint = fingerprintOf({ id: 'exact', version: EXACT_JUDGE_VERSION });

  async judge(
    items: readonly JudgeItem[],
    opts: { signal?: AbortSignal } = {},
  ): Promise<Verdict[]> {
    return judgeEach(this.id, items, opts.signal, exactLabel);
  }
}
