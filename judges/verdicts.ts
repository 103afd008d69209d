/**
 * Small helpers every judge uses: checking a batch at the boundary and building verdicts that
 * keep the reward consistent with the label.
 */
import { z } from 'zod';
import { judgeError } from './errors.ts';
import { type JudgeItem, rewardOf, type Verdict, type VerdictLabel } from './types.ts';

const itemSchema = z.object({
  question: z.string(),
  answers: z.array(z.string()).min(1),
  prediction: z.string(),
});

/**
 * Throw FR_ERR_JUDGE_INVALID_ITEM naming the first malformed item. Items come from the wire and
 * from files, so the static type is not enough.
 */
export function assertValidItems(items: readonly JudgeItem[]): void {
  if (!Array.isArray(items)) throw judgeError('FR_ERR_JUDGE_INVALID_ITEM', 'items is not an array');
  for (let i = 0; i < items.length; i++) {
    const parsed = itemSchema.safeParse(items[i]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw judgeError(
        'FR_ERR_JUDGE_INVALID_ITEM',
        `item ${i}: ${issue ? `${issue.path.join('.') || 'item'} ${issue.message}` : 'invalid'}`,
        { details: { index: i } },
      );
    }
  }
}

/** Throw FR_ERR_JUDGE_CANCELLED when the caller's signal has fired. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw judgeError('FR_ERR_JUDGE_CANCELLED');
}

/** A successful verdict; the reward follows from the label. */
export function okVerdict(
  judgeId: string,
  verdict: VerdictLabel,
  latencyMs: number,
  extra: { cached?: boolean; reasoning?: string } = {},
): Verdict {
  return {
    verdict,
    reward: rewardOf(verdict),
    status: 'ok',
    judgeId,
    cached: extra.cached ?? false,
    latencyMs,
    ...(extra.reasoning !== undefined ? { reasoning: extra.reasoning } : {}),
  };
}

/** A failed verdict: no label, reward null (never 0), and the error that caused it. */
export function failedVerdict(
  judgeId: string,
  error: { code: string; message: string },
  latencyMs: number,
): Verdict {
  return {
    verdict: null,
    reward: null,
    status: 'judge_failed',
    judgeId,
    cached: false,
    latencyMs,
    error: { code: error.code, message: error.message },
  };
}

/** Run a synchronous rule per item, timing each one. */
export function judgeEach(
  judgeId: string,
  items: readonly JudgeItem[],
  signal: AbortSignal | undefined,
  rule: (item: JudgeItem) => VerdictLabel,
): Verdict[] {
  assertValidItems(items);
  throwIfCancelled(signal);
  return items.map((item) => {
    const start = performance.now();
    const label = rule(item);
    return okVerdict(judgeId, label, performance.now() - start);
  });
}
