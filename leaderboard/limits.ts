/**
 * Request rate limits: a sliding one-minute window per key (a token id, else the client
 * address), in memory. Quotas on submissions are durable and live in the store; this only
 * keeps one client from flooding the server with requests.
 */
import { boardError } from './errors.ts';

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Count one request for `key`, or throw FR_ERR_LEADERBOARD_RATE_LIMITED with retryAfterMs. */
  take(key: string): void {
    const now = this.now();
    const since = now - 60_000;
    const list = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (list.length >= this.perMinute) {
      this.hits.set(key, list);
      throw boardError('FR_ERR_LEADERBOARD_RATE_LIMITED', `${this.perMinute} requests a minute`, {
        retryAfterMs: Math.max(1, list[0]! + 60_000 - now),
      });
    }
    list.push(now);
    this.hits.set(key, list);
    // Forget idle keys now and then so the map stays bounded by active clients.
    if (this.hits.size > 10_000) {
      for (const [k, v] of this.hits) if (v.every((t) => t <= since)) this.hits.delete(k);
    }
  }
}
