/**
 * Capped exponential backoff with jitter: the one implementation behind every retry loop (the
 * LLM client, the protocol client, dataset downloads). Before retry `attempt` (0-based) wait
 *
 *   ceiling = min(capMs, baseMs * 2^attempt)
 *   delay   = ceiling * (1 - jitter * u),   u ~ U[0, 1)
 *
 * so `jitter` 0 is plain doubling, 1 is "full jitter" (anywhere in [0, ceiling)), 0.25 keeps at
 * least 75% of the ceiling. Jitter spreads the retries of many clients hit by the same outage;
 * `random` is Math.random on purpose (it must differ between processes), injectable for tests.
 */
export interface Backoff {
  /** First ceiling (ms); doubles each retry. */
  baseMs: number;
  /** Largest ceiling (ms). */
  capMs: number;
  /** Share of the ceiling jitter may take away, 0..1. */
  jitter: number;
}

export function backoffMs(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(b.capMs, b.baseMs * 2 ** attempt);
  return ceiling * (1 - b.jitter * random());
}
