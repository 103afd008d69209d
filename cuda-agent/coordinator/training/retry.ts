/**
 * Deadlines and retries for every env and worker call. A call gets `deadlineMs`; a retryable
 * failure (a FactRecallError with `retryable`, or a missed deadline) is retried up to
 * `retries` times with capped exponential backoff and full jitter, honouring `retryAfterMs`.
 * Anything else fails at once: retrying a bad request only repeats it.
 */
import { FactRecallError, isFactRecallError } from '../../../lib/errors.ts';
import type { Rng } from '../../../lib/rng.ts';
import { trainError } from './errors.ts';

export interface RetryPolicy {
  deadlineMs: number;
  retries: number;
  backoffMs: number;
  /** Jitter source (seeded so tests are reproducible); absent: no jitter. */
  rng?: Rng;
  /** Called before each retry (for logs and metrics). */
  onRetry?: (what: string, attempt: number, error: unknown) => void;
  sleep?: (ms: number) => Promise<void>;
}

const MAX_BACKOFF_MS = 10_000;

class DeadlineExceeded extends Error {}

/** Run `fn` under a deadline; the timer never keeps the process alive. */
export function withDeadline<T>(fn: () => Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new DeadlineExceeded(`${what} took longer than ${ms} ms`)),
      ms,
    );
    timer.unref?.();
    fn().then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function isRetryable(e: unknown): boolean {
  return e instanceof DeadlineExceeded || (isFactRecallError(e) && e.retryable);
}

/** `fn` with a deadline per attempt and retries of retryable failures. */
export async function callWithRetry<T>(
  what: string,
  fn: () => Promise<T>,
  policy: RetryPolicy,
): Promise<T> {
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      return await withDeadline(fn, policy.deadlineMs, what);
    } catch (e) {
      if (!isRetryable(e) || attempt >= policy.retries) {
        if (e instanceof DeadlineExceeded)
          throw trainError('FR_ERR_TRAIN_DEADLINE', `${e.message} (${attempt + 1} attempts)`, {
            cause: e,
          });
        throw e;
      }
      policy.onRetry?.(what, attempt + 1, e);
      const cap = Math.min(MAX_BACKOFF_MS, policy.backoffMs * 2 ** attempt);
      const jittered = policy.rng ? policy.rng.next() * cap : cap;
      const hint = e instanceof FactRecallError ? (e.retryAfterMs ?? 0) : 0;
      await sleep(Math.max(jittered, hint));
    }
  }
}
