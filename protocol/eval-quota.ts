/**
 * Per-submitter quotas on eval runs: at most `runs` complete runs in any `windowMs`. The
 * quota is what bounds the one leak the eval rules leave (differences between repeated
 * complete runs, see docs/protocol.md), so it is counted where that leak is: a run holds a
 * slot from `make` (so many concurrent runs cannot all finish past the quota), a complete run
 * keeps it for the window, a partial one (which reveals only counts) gives it back.
 *
 * Submitters are token names (one team may hold several tokens under one name and shares
 * its quota). Complete runs already in the eval-runs file count, so a restart does not reset
 * anyone's quota.
 */
import { protoError } from './errors.ts';

export interface EvalQuota {
  /** Complete eval runs allowed per window (0: none). */
  runs: number;
  /** Window length, ms. */
  windowMs: number;
}

/** Default: 10 complete runs per submitter per 24 hours. */
export const DEFAULT_EVAL_QUOTA: Readonly<EvalQuota> = Object.freeze({
  runs: 10,
  windowMs: 24 * 3600_000,
});

/** What the leaderboard (or a client) may show of one submitter's quota. */
export interface EvalQuotaStatus extends EvalQuota {
  submitter: string;
  /** Complete runs inside the window. */
  used: number;
  /** Runs open now (each holds a slot). */
  open: number;
  remaining: number;
  /** When the oldest complete run leaves the window (ms epoch); null when none is in it. */
  nextSlotAt: number | null;
}

export class EvalQuotaBook {
  /** Finish times (ms) of complete runs, per submitter, oldest first. */
  private readonly done = new Map<string, number[]>();
  private readonly open = new Map<string, number>();

  /**
   * @param quotaOf the quota of a submitter (per-token override, else the server's).
   * @param past complete runs already recorded: submitter and finish time (ms).
   */
  constructor(
    private readonly quotaOf: (submitter: string) => Readonly<EvalQuota>,
    past: ReadonlyArray<{ submitter: string; at: number }> = [],
  ) {
    for (const r of [...past].sort((a, b) => a.at - b.at)) this.doneOf(r.submitter).push(r.at);
  }

  status(submitter: string, now = Date.now()): EvalQuotaStatus {
    const q = this.quotaOf(submitter);
    const done = this.doneOf(submitter);
    while (done.length > 0 && done[0]! <= now - q.windowMs) done.shift();
    const open = this.open.get(submitter) ?? 0;
    return {
      submitter,
      runs: q.runs,
      windowMs: q.windowMs,
      used: done.length,
      open,
      remaining: Math.max(0, q.runs - done.length - open),
      nextSlotAt: done.length > 0 ? done[0]! + q.windowMs : null,
    };
  }

  /** Take a slot for a new run, or FR_ERR_PROTO_EVAL_QUOTA (retryable when a slot frees up). */
  reserve(submitter: string, now = Date.now()): void {
    const s = this.status(submitter, now);
    if (s.remaining > 0) {
      this.open.set(submitter, s.open + 1);
      return;
    }
    const why = `${submitter} has ${s.used} complete and ${s.open} open eval runs; the quota is ${s.runs} per ${Math.round(s.windowMs / 60_000)} min`;
    // Open runs free their slots when they close: suggest a short wait; else wait for the window.
    const retryAfterMs =
      s.used < s.runs ? 1000 : s.nextSlotAt !== null ? Math.max(1, s.nextSlotAt - now) : undefined;
    throw protoError('FR_ERR_PROTO_EVAL_QUOTA', why, {
      ...(retryAfterMs !== undefined && s.runs > 0 ? { retryAfterMs } : {}),
      details: { ...s },
    });
  }

  /** End a run that held a slot: a complete one keeps it for the window, a partial one frees it. */
  settle(submitter: string, complete: boolean, now = Date.now()): void {
    const open = this.open.get(submitter) ?? 0;
    if (open <= 1) this.open.delete(submitter);
    else this.open.set(submitter, open - 1);
    if (complete) this.doneOf(submitter).push(now);
  }

  private doneOf(submitter: string): number[] {
    let d = this.done.get(submitter);
    if (!d) {
      d = [];
      this.done.set(submitter, d);
    }
    return d;
  }
}
