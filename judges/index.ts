/**
 * Public entry point of the judges: `createJudge(spec)` builds any judge from a small spec that
 * can come from code, a config file or the command line.
 *
 * ```ts
 * const judge = createJudge('contains');
 * const [v] = await judge.judge([{ question: 'Capital of France?', answers: ['Paris'], prediction: 'Paris' }]);
 * v.reward; // 1
 * ```
 */

import { ContainsJudge, type ContainsOptions } from './contains.ts';
import { judgeError } from './errors.ts';
import { ExactJudge } from './exact.ts';
import type { Judge } from './types.ts';

export { ContainsJudge, type ContainsOptions, containsDecision } from './contains.ts';
export { ExactJudge, exactLabel, isExactMatch } from './exact.ts';
export { isNonAnswer } from './hedges.ts';
export { normalizeAnswer } from './normalize.ts';
export type { Judge, JudgeItem, Verdict } from './types.ts';
export { rewardOf } from './types.ts';

/** The judge kinds `createJudge` knows. */
export const JUDGE_KINDS = ['exact', 'contains'] as const;
export type JudgeKind = (typeof JUDGE_KINDS)[number];

/** A judge by name with default settings, or `{kind, options}`. */
export type JudgeSpec =
  | JudgeKind
  | { kind: 'exact'; options?: Record<string, never> }
  | { kind: 'contains'; options?: ContainsOptions };

/**
 * Build a judge from its spec. Unknown kinds and malformed options throw
 * FR_ERR_JUDGE_INVALID_SPEC (a spec often comes from user input).
 */
export function createJudge(spec: JudgeSpec): Judge {
  const kind = typeof spec === 'string' ? spec : spec?.kind;
  const options = typeof spec === 'string' ? undefined : spec?.options;
  switch (kind) {
    case 'exact':
      if (options !== undefined && Object.keys(options).length > 0) {
        throw judgeError('FR_ERR_JUDGE_INVALID_SPEC', 'the exact judge takes no options');
      }
      return new ExactJudge();
    case 'contains':
      return new ContainsJudge(options as ContainsOptions | undefined);
    default:
      throw judgeError(
        'FR_ERR_JUDGE_INVALID_SPEC',
        `unknown judge kind ${JSON.stringify(kind)}; known: ${JUDGE_KINDS.join(', ')}`,
      );
  }
}
