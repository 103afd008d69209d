/**
 * Background scoring with the pinned judge. Work comes from the database, never from memory:
 * a submission waits as `queued`, is scored in chunks (each chunk's verdicts committed in one
 * transaction), and becomes `scored` once every prediction has a verdict. A crash or restart
 * at any point loses nothing: `start()` picks up every `queued` or `scoring` submission and
 * judges only the predictions that have no verdict yet. A verdict the judge could not give
 * (reward null) is never stored as 0: the chunk is retried with backoff, and after
 * `maxAttempts` the submission is `failed` (FR_ERR_LEADERBOARD_SCORING_FAILED), which frees
 * its quota slot.
 */
import type { Judge } from '../judges/index.ts';
import type { PinnedSplit } from './pinned.ts';
import type { Store } from './store.ts';

export interface ScorerOptions {
  chunk?: number;
  maxAttempts?: number;
  /** First retry delay; doubles per attempt. */
  backoffMs?: number;
  /** Called after each committed chunk (tests use it to stop mid-scoring). */
  onChunk?: (submissionId: string, judged: number) => void;
}

export class Scorer {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** The last unexpected error of the scoring loop (tests, logs). */
  lastError: Error | undefined;
  private readonly chunk: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(
    private readonly store: Store,
    private readonly judge: Judge,
    private readonly splits: ReadonlyMap<string, PinnedSplit>,
    private readonly opts: ScorerOptions = {},
  ) {
    this.chunk = opts.chunk ?? 500;
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.backoffMs = opts.backoffMs ?? 1000;
  }

  /** Score everything waiting; a call while running makes the loop look again when done. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = (async () => {
      do {
        this.again = false;
        for (
          let id = this.store.nextToScore();
          id && !this.stopped;
          id = this.store.nextToScore()
        ) {
          await this.scoreOne(id);
        }
      } while (this.again && !this.stopped);
    })().catch((e: unknown) => {
      // A store failure (disk full, database locked past the timeout): nothing is lost, the
      // submission keeps its state and the next kick or restart picks it up again.
      this.lastError = e as Error;
      process.stderr.write(`leaderboard scorer: ${(e as Error).message}\n`);
    });
    // Cleared after the assignment below (the body may finish synchronously when idle).
    this.running = run.finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stop after the chunk in progress; what is committed stays, the rest waits for a restart. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }

  /** Resolves when nothing is being scored (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async scoreOne(id: string): Promise<void> {
    const sub = this.store.submission(id)!;
    const split = this.splits.get(sub.dataset);
    if (!split || split.splitHash !== sub.split_hash) {
      this.store.setState(
        id,
        'failed',
        `FR_ERR_LEADERBOARD_SCORING_FAILED: the ${sub.dataset} split it was made for (${sub.split_hash.slice(0, 12)}) is no longer pinned`,
      );
      return;
    }
    if (sub.judge_fingerprint !== this.judge.fingerprint) {
      // The pinned judge changed between submission and scoring: the stored fingerprint must
      // name the judge that gave the verdicts.
      this.store.setState(
        id,
        'failed',
        `FR_ERR_LEADERBOARD_SCORING_FAILED: submitted under judge ${sub.judge_fingerprint}, the server now runs ${this.judge.fingerprint}`,
      );
      return;
    }
    this.store.setState(id, 'scoring');
    for (;;) {
      if (this.stopped) return;
      const rows = this.store.unscored(id, this.chunk);
      if (rows.length === 0) break;
      const items = rows.map((r) => {
        const rec = split.records.get(r.question_id)!;
        return { question: rec.question, answers: rec.answers, prediction: r.answer };
      });
      let verdicts: Awaited<ReturnType<Judge['judge']>>;
      try {
        verdicts = await this.judge.judge(items);
      } catch (e) {
        verdicts = items.map(() => ({
          verdict: null,
          reward: null,
          status: 'judge_failed' as const,
          judgeId: this.judge.id,
          cached: false,
          latencyMs: 0,
          error: { code: 'FR_ERR_LEADERBOARD_INTERNAL', message: (e as Error).message },
        }));
      }
      const good = [];
      let failed: string | undefined;
      for (let i = 0; i < rows.length; i++) {
        const v = verdicts[i];
        if (v && v.reward !== null && v.verdict !== null) {
          good.push({ questionId: rows[i]!.question_id, reward: v.reward, verdict: v.verdict });
        } else failed ??= v?.error ? `${v.error.code}: ${v.error.message}` : 'no verdict';
      }
      if (good.length > 0) this.store.insertVerdicts(id, good);
      this.opts.onChunk?.(id, good.length);
      if (failed !== undefined) {
        this.store.bumpAttempts(id);
        const attempts = this.store.submission(id)!.attempts;
        if (attempts >= this.maxAttempts) {
          this.store.setState(id, 'failed', `FR_ERR_LEADERBOARD_SCORING_FAILED: ${failed}`);
          return;
        }
        await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** (attempts - 1)));
      }
    }
    this.store.finish(id);
  }
}
