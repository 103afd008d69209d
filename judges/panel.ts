/**
 * The `panel` judge: several judges vote on every item; the majority label wins. Members that
 * failed on an item do not vote. Ties are reported (Verdict.votes and Verdict.tie) and settled
 * by the panel's tie rule: fail (judge_failed, FR_ERR_JUDGE_PANEL_TIE), incorrect, or the
 * first member's verdict.
 */
import { z } from 'zod';
import { fingerprintOf } from '../lib/hash.ts';
import { judgeError } from './errors.ts';
import type { Judge, JudgeItem, Verdict, VerdictLabel } from './types.ts';
import { assertValidItems, failedVerdict, okVerdict, throwIfCancelled } from './verdicts.ts';

export const PANEL_JUDGE_VERSION = 1;

export const TIE_RULES = ['fail', 'incorrect', 'first'] as const;
export type TieRule = (typeof TIE_RULES)[number];
export const tieRuleSchema = z.enum(TIE_RULES);

const LABELS: readonly VerdictLabel[] = ['correct', 'incorrect', 'not_attempted'];

/** Decide one item from its members' verdicts (exported for tests). */
export function panelVerdict(
  id: string,
  member: readonly Verdict[],
  tieRule: TieRule,
  latencyMs: number,
): Verdict {
  const votes: Record<VerdictLabel, number> = { correct: 0, incorrect: 0, not_attempted: 0 };
  let failed = 0;
  for (const v of member) {
    if (v.status === 'ok' && v.verdict !== null) votes[v.verdict]++;
    else failed++;
  }
  const cached = member.every((v) => v.cached);
  const tally = { ...votes, failed };
  const top = Math.max(...LABELS.map((l) => votes[l]));
  if (top === 0) {
    const first = member.find((v) => v.error)?.error ?? {
      code: 'FR_ERR_JUDGE_UNAVAILABLE',
      message: 'no member voted',
    };
    return { ...failedVerdict(id, first, latencyMs), votes: tally };
  }
  const leaders = LABELS.filter((l) => votes[l] === top);
  const describe =
    LABELS.map((l) => `${l} ${votes[l]}`).join(', ') + (failed ? `, failed ${failed}` : '');
  if (leaders.length === 1) {
    return {
      ...okVerdict(id, leaders[0]!, latencyMs, { cached, reasoning: `votes: ${describe}` }),
      votes: tally,
      tie: false,
    };
  }
  if (tieRule === 'fail') {
    const e = judgeError('FR_ERR_JUDGE_PANEL_TIE', describe);
    return { ...failedVerdict(id, e, latencyMs), votes: tally, tie: true };
  }
  const firstVote = member.find(
    (v) => v.status === 'ok' && v.verdict !== null && leaders.includes(v.verdict),
  );
  const label = tieRule === 'incorrect' ? 'incorrect' : (firstVote?.verdict ?? 'incorrect');
  return {
    ...okVerdict(id, label, latencyMs, {
      cached,
      reasoning: `tie (${describe}), settled by rule ${tieRule}`,
    }),
    votes: tally,
    tie: true,
  };
}

export class PanelJudge implements Judge {
  readonly id = 'panel';
  readonly fingerprint: string;
  /** Items whose vote tied, since the judge was made. */
  ties = 0;

  constructor(
    private readonly members: readonly Judge[],
    private readonly tieRule: TieRule = 'fail',
  ) {
    if (members.length < 2)
      throw judgeError('FR_ERR_JUDGE_INVALID_SPEC', 'a panel needs at least two judges');
    this.fingerprint = fingerprintOf({
      id: 'panel',
      version: PANEL_JUDGE_VERSION,
      members: members.map((m) => m.fingerprint),
      tieRule,
    });
  }

  async judge(
    items: readonly JudgeItem[],
    opts: { signal?: AbortSignal } = {},
  ): Promise<Verdict[]> {
    assertValidItems(items);
    throwIfCancelled(opts.signal);
    const start = performance.now();
    const results = await Promise.all(this.members.map((m) => m.judge(items, opts)));
    const latencyMs = performance.now() - start;
    return items.map((_, i) => {
      const v = panelVerdict(
        this.id,
        results.map((r) => r[i]!),
        this.tieRule,
        latencyMs,
      );
      if (v.tie) this.ties++;
      return v;
    });
  }

  async close(): Promise<void> {
    for (const m of this.members) await m.close?.();
  }
}
