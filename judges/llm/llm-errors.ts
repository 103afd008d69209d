/**
 * The LLM client's errors (FR_ERR_LLM_*) in the judge's words: the same kind of failure under
 * the judge's code (FR_ERR_JUDGE_*), with the same retry hint and the LLM error as its cause,
 * so a verdict's `error.code` always comes from the judges' catalogue.
 */
import { type FactRecallError, isFactRecallError } from '../../lib/errors.ts';
import { llmError } from '../../lib/llm/errors.ts';
import { judgeError } from '../errors.ts';

type LlmCode = keyof typeof llmError.catalogue;
type JudgeCode = keyof typeof judgeError.catalogue;

const JUDGE_CODE_OF: Record<LlmCode, JudgeCode> = {
  FR_ERR_LLM_CONFIG: 'FR_ERR_JUDGE_CONFIG',
  FR_ERR_LLM_CANCELLED: 'FR_ERR_JUDGE_CANCELLED',
  FR_ERR_LLM_UNAVAILABLE: 'FR_ERR_JUDGE_UNAVAILABLE',
  FR_ERR_LLM_RATE_LIMITED: 'FR_ERR_JUDGE_RATE_LIMITED',
  FR_ERR_LLM_TIMEOUT: 'FR_ERR_JUDGE_TIMEOUT',
  FR_ERR_LLM_REJECTED: 'FR_ERR_JUDGE_REJECTED',
  FR_ERR_LLM_UNPARSEABLE: 'FR_ERR_JUDGE_UNPARSEABLE',
  FR_ERR_LLM_CACHE: 'FR_ERR_JUDGE_CACHE',
};

/** Any error out of the LLM client as a judge error (anything uncoded: UNAVAILABLE). */
export function asJudgeError(e: unknown): FactRecallError {
  if (isFactRecallError(e) && e.code in JUDGE_CODE_OF) {
    const code = e.code as LlmCode;
    const prefix = `${llmError.catalogue[code].message}: `;
    const detail = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : undefined;
    return judgeError(JUDGE_CODE_OF[code], detail, {
      cause: e,
      ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
      ...(e.details !== undefined ? { details: e.details } : {}),
    });
  }
  if (isFactRecallError(e)) return e;
  return judgeError('FR_ERR_JUDGE_UNAVAILABLE', e instanceof Error ? e.message : String(e), {
    cause: e,
  });
}
