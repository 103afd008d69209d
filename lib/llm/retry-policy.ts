/**
 * When and how long to wait before retrying an HTTP request, after openai-node's policy:
 * retry 408, 409, 429 and 5xx (and connection failures); capped exponential backoff with up
 * to 25% jitter (lib/backoff.ts); a server's `retry-after-ms` / `retry-after` hint wins when it
 * is sane.
 */
import { type Backoff, backoffMs } from '../backoff.ts';

export interface RetryPolicy {
  /** Retries after the first attempt (so maxRetries + 1 attempts in all). */
  maxRetries: number;
  /** First backoff delay (ms); doubles each retry. */
  initialDelayMs: number;
  /** Cap on the computed backoff (ms). */
  maxDelayMs: number;
  /** Longest server hint the client will wait for; longer hints end the retries. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  initialDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/** HTTP statuses worth retrying: timeout, conflict, rate limit, server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * The server's wait hint in ms, from `retry-after-ms` (OpenAI's extension) or `retry-after`
 * (seconds or an HTTP date). Undefined when absent or unreadable.
 */
export function retryAfterMs(
  headers: { get(name: string): string | null } | undefined,
  now = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get('retry-after');
  if (raw === null || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** Sleep that ends early (rejecting with the signal's reason) when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The backoff of a retry policy: its delays with up to 25% jitter. */
export function policyBackoff(policy: RetryPolicy): Backoff {
  return { baseMs: policy.initialDelayMs, capMs: policy.maxDelayMs, jitter: 0.25 };
}

/** Delay before retry number `retry` (0-based) under `policy`. */
export function retryDelayMs(retry: number, policy: RetryPolicy): number {
  return backoffMs(retry, policyBackoff(policy));
}
