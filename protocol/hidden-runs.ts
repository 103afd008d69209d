/**
 * Hidden runs: how a split whose answers stay on the server is served, so that no aggregate
 * the server reveals can be read back as a single answer. Hidden are the test split (the eval
 * role's) and, when the server runs with `valRewards: 'aggregate'`, the val split.
 *
 * The attack this stops: the aggregate of a run over one question (or over many, answered with
 * junk except one) tells whether that question's answer was right, so bisecting candidate
 * answers recovers its gold. The rules:
 * - a run is one env's pass over the whole split (the pinned subset, when the server pins one)
 *   in the server's order: no `start` for a hidden split, and for the eval role no `seed`; a
 *   reset may not run past the end of the split (no second epoch in one run);
 * - one answer per question (`groupSize` 1), unless the env was made as a pass@k run
 *   (`passK: k`, then `groupSize` must be k and only pass@k is reported);
 * - scores are revealed only for a complete run (every question handed out, every episode
 *   answered); a partial run reports nothing but its counts.
 * What stays possible, and what bounds it, is in docs/protocol.md ("What an eval run reveals").
 */
import { zeroCounts } from '../env/episodes.ts';
import type { EpisodeCounts, GroupStats, SplitName } from '../env/types.ts';
import { protoError } from './errors.ts';
import type { Role } from './schema.ts';

/** Whether val rewards go back per episode (default) or only as a complete run's aggregate. */
export type ValRewards = 'episode' | 'aggregate';

/** The splits whose rewards this role sees only as a complete run's aggregate. */
export function hiddenSplitsFor(role: Role, valRewards: ValRewards): readonly SplitName[] {
  if (role === 'eval') return ['test'];
  return valRewards === 'aggregate' ? ['val'] : [];
}

/** The score of one hidden run, as the close response and the eval-run record carry it. */
export interface RunScore {
  split: SplitName;
  /** Answers per question: 1, or the k of a pass@k run. */
  k: number;
  /** Questions handed out so far. */
  questions: number;
  /** Questions in the split (or the pinned subset). */
  splitSize: number;
  /** Every question handed out and every episode answered. */
  complete: boolean;
  /**
   * Complete runs only (else null): the share of questions with at least one correct answer
   * among their k (k = 1: accuracy), over questions the judge scored.
   */
  score: number | null;
}

/** One env's run over one hidden split. */
export class HiddenRun {
  private questions = 0;
  private readonly groups = new Set<string>();
  /** Questions whose group ended with at least one scored answer, and those with a correct one. */
  private scoredQuestions = 0;
  private passed = 0;

  constructor(
    readonly split: SplitName,
    readonly k: number,
    readonly splitSize: number,
  ) {}

  /** Refuse a reset that would break the run's rules (nothing has been handed out yet). */
  checkReset(batchSize: number, groupSize: number): void {
    if (groupSize !== this.k) {
      throw protoError(
        'FR_ERR_PROTO_FORBIDDEN',
        this.k === 1
          ? `the ${this.split} split takes one answer per question (groupSize 1); make the env with passK for a pass@k run`
          : `this env is a pass@${this.k} run: groupSize must be ${this.k}`,
      );
    }
    const left = this.splitSize - this.questions;
    if (left === 0) {
      throw protoError(
        'FR_ERR_PROTO_FORBIDDEN',
        `this run has handed out all ${this.splitSize} ${this.split} questions: close the env (a new run needs a new env)`,
      );
    }
    if (batchSize > left) {
      throw protoError(
        'FR_ERR_PROTO_FORBIDDEN',
        `this run has ${left} ${this.split} questions left: reset at most that many`,
      );
    }
  }

  /** Note the groups a reset handed out (one per question; at most the split's size). */
  handedOut(observations: ReadonlyArray<{ groupId: string }>): void {
    for (const o of observations) {
      if (this.groups.has(o.groupId)) continue;
      this.groups.add(o.groupId);
      this.questions += 1;
    }
  }

  holds(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  /** Count a group a step touched once it completes (it completes once, in the step that settles it). */
  stepped(g: GroupStats): void {
    if (!g.complete || g.scored === 0) return;
    this.scoredQuestions += 1;
    if ((g.meanReward ?? 0) > 0) this.passed += 1;
  }

  /** The run's score from its split's counts (the env's own, which the client cannot forge). */
  score(counts: EpisodeCounts | undefined): RunScore {
    const c = counts ?? zeroCounts();
    const complete =
      this.questions === this.splitSize &&
      c.issued === this.splitSize * this.k &&
      c.answered === c.issued;
    return {
      split: this.split,
      k: this.k,
      questions: this.questions,
      splitSize: this.splitSize,
      complete,
      score: complete && this.scoredQuestions > 0 ? this.passed / this.scoredQuestions : null,
    };
  }
}

/** Counts with every score field blanked: what a partial run (or stats) may show. */
export function hideScores(c: EpisodeCounts): EpisodeCounts {
  return { ...c, judgeFailed: 0, scored: 0, rewardSum: 0, meanReward: null };
}

/**
 * Counts as revealed to the client: a hidden split's scores appear only for a complete run of
 * one answer per question (a pass@k run reveals its pass@k alone).
 */
export function revealedCounts(c: EpisodeCounts, run: RunScore | undefined): EpisodeCounts {
  if (!run) return c;
  return run.complete && run.k === 1 ? c : hideScores(c);
}

/**
 * The make options a role may not set for its hidden splits: `start` of a hidden split (it
 * would pick where the run begins) and, for eval, `seed` (the order is the server's).
 */
export function checkHiddenMake(
  role: Role,
  hidden: readonly SplitName[],
  options: Record<string, unknown>,
): void {
  if (role === 'eval' && options.seed !== undefined) {
    throw protoError(
      'FR_ERR_PROTO_FORBIDDEN',
      'an eval run goes through the test split in the server order: seed is not allowed',
    );
  }
  const start = options.start;
  if (start && typeof start === 'object') {
    for (const split of hidden) {
      if (split in start) {
        throw protoError(
          'FR_ERR_PROTO_FORBIDDEN',
          `start.${split}: a ${split} run covers the whole split from its beginning`,
        );
      }
    }
  }
  const k = options.passK;
  if (k !== undefined && !(Number.isInteger(k) && (k as number) >= 1 && (k as number) <= 1024)) {
    throw protoError('FR_ERR_PROTO_BAD_REQUEST', 'passK must be an integer 1..1024');
  }
}
