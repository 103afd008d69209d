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
import { LlmJudge, type LlmJudgeOptions } from './llm/llm-judge.ts';
import { PanelJudge, TIE_RULES, type TieRule } from './panel.ts';
import type { Judge } from './types.ts';

/** The verdict cache is the LLM client's SQLite cache, at the judges' default path. */
export { SqliteCache } from '../lib/llm/sqlite-cache.ts';
export { ContainsJudge, type ContainsOptions, containsDecision } from './contains.ts';
export { ExactJudge, exactLabel, isExactMatch } from './exact.ts';
export { isNonAnswer } from './hedges.ts';
export { defaultVerdictCachePath, LlmJudge, type LlmJudgeOptions } from './llm/llm-judge.ts';
export { normalizeAnswer } from './normalize.ts';
export { PanelJudge, type TieRule } from './panel.ts';
export type { Judge, JudgeItem, Verdict } from './types.ts';
export { rewardOf } from './types.ts';

/** The judge kinds `createJudge` knows. */
export const JUDGE_KINDS = ['exact', 'contains', 'llm', 'panel'] as const;
export type JudgeKind = (typeof JUDGE_KINDS)[number];

/** A judge by name with default settings, or `{kind, options}`. */
export type JudgeSpec =
  | JudgeKind
  | { kind: 'exact'; options?: Record<string, never> }
  | { kind: 'contains'; options?: ContainsOptions }
  | { kind: 'llm'; options?: LlmJudgeOptions }
  | { kind: 'panel'; options: PanelOptions };

/** A panel: its members (at least two) and how a tie is settled (default 'fail'). */
export interface PanelOptions {
  judges: JudgeSpec[];
  tieRule?: TieRule;
}

/**
 * The panel used when 'panel' is given by name: the llm judge and contains, no reward when they
 * disagree (tie rule fail). Not llm + contains + exact: contains repeats every exact match, so
 * exact would outvote the LLM 2-1 (panel.ts).
 */
export const DEFAULT_PANEL: PanelOptions = { judges: ['llm', 'contains'], tieRule: 'fail' };

/**
 * Parse a judge spec from the command line: a kind name, or JSON for `{kind, options}`.
 */
export function parseJudgeSpec(text: string): JudgeSpec {
  const t = text.trim();
  if (!t.startsWith('{')) return t as JudgeKind;
  try {
    return JSON.parse(t) as JudgeSpec;
  } catch (e) {
    throw judgeError('FR_ERR_JUDGE_INVALID_SPEC', `not JSON: ${(e as Error).message}`);
  }
}

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
    case 'llm':
      return new LlmJudge(options as LlmJudgeOptions | undefined);
    case 'panel': {
      const p = (options ?? DEFAULT_PANEL) as PanelOptions;
      if (!Array.isArray(p.judges)) {
        throw judgeError('FR_ERR_JUDGE_INVALID_SPEC', 'panel options need a judges list');
      }
      if (p.tieRule !== undefined && !TIE_RULES.includes(p.tieRule)) {
        throw judgeError(
          'FR_ERR_JUDGE_INVALID_SPEC',
          `tieRule must be one of ${TIE_RULES.join(', ')}`,
        );
      }
      // Members made before a bad one (or a panel too small) hold resources (an LLM judge's
      // SQLite cache): close them before reporting the error.
      const members: Judge[] = [];
      try {
        for (const m of p.judges) members.push(createJudge(m));
        return new PanelJudge(members, p.tieRule ?? 'fail');
      } catch (e) {
        for (const m of members) void m.close?.().catch(() => undefined);
        throw e;
      }
    }
    default:
      throw judgeError(
        'FR_ERR_JUDGE_INVALID_SPEC',
        `unknown judge kind ${JSON.stringify(kind)}; known: ${JUDGE_KINDS.join(', ')}`,
      );
  }
}
