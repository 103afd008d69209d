/**
 * The `panel` judge: several judges vote on every item; the majority label wins. Members that
 * failed on an item do not vote. Ties are reported (Verdict.votes and Verdict.tie) and settled
 * by the panel's tie rule: fail (judge_failed, FR_ERR_JUDGE_PANEL_TIE), incorrect, or the
 * first member's verdict.
 *
 * A vote is worth something only when the voters are independent. `contains` decides every
 * exact match exactly as `exact` does (it starts from it), so a panel holding both counts exact
 * twice: with the LLM as third member, exact won every exact match 2-1 and an answer only the
 * LLM accepted always lost. A panel therefore refuses members nested like that, and the same
 * judge twice (FR_ERR_JUDGE_INVALID_SPEC). The default panel (index.ts) is llm + contains with
 * tie rule `fail`: when the two disagree there is no reward (judge_failed, masked in training,
 * counted in coverage), so neither can be gamed alone.
 */
import { z } from 'zod';
import { fingerprintOf } from '../lib/hash.ts';
import { judgeError } from './errors.ts';
import type { Judge, JudgeItem, Verdict, VerdictLabel } from './types.ts';
import { assertValidItems, failedVerdict, okVerdict, throwIfCancelled } from './verdicts.ts';

export const PANEL_JUDGE_VERSION = 2;

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

/** Judge ids whose every verdict another judge repeats: [nested, the judge that contains it]. */
const NESTED: ReadonlyArray<[string, string]> = [['exact', 'contains']];

/** Refuse a panel that would count one decision twice (see the module comment). */
function assertIndependent(members: readonly Judge[]): void {
  const fps = members.map((m) => m.fingerprint);
  const twice = fps.find((fp, i) => fps.indexOf(fp) !== i);
  if (twice !== undefined) {
    const m = members[fps.indexOf(twice)]!;
    throw judgeError('FR_ERR_JUDGE_INVALID_SPEC', `panel has the judge ${m.id} twice`);
  }
  const ids = new Set(members.map((m) => m.id));
  for (const [inner, outer] of NESTED) {
    if (ids.has(inner) && ids.has(outer)) {
      throw judgeError(
        'FR_ERR_JUDGE_INVALID_SPEC',
        `panel has ${inner} and ${outer}: ${outer} already decides every ${inner} match the same way, so ${inner} would vote twice; drop ${inner}`,
      );
    }
  }
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
    assertIndependent(members);
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
