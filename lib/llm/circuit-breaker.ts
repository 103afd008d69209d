/**
 * A circuit breaker for an HTTP endpoint. After `failureThreshold` consecutive failures the
 * circuit opens: calls fail fast for `cooldownMs` instead of piling onto a dead endpoint. Then
 * one probe is let through (half-open); its success closes the circuit, its failure reopens it.
 */

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before a probe (ms). */
  cooldownMs: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

export const DEFAULT_BREAKER: CircuitBreakerOptions = { failureThreshold: 8, cooldownMs: 10_000 };

export type CircuitState = 'closed' | 'open' | 'half_open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private opened = 0;
  private readonly now: () => number;

  constructor(private readonly opts: CircuitBreakerOptions = DEFAULT_BREAKER) {
    this.now = opts.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this.failures < this.opts.failureThreshold) return 'closed';
    return this.now() - this.openedAt >= this.opts.cooldownMs ? 'half_open' : 'open';
  }

  /** Times the circuit has opened (for stats). */
  get timesOpened(): number {
    return this.opened;
  }

  /**
   * May a request go out now? Returns 0 when it may, else the ms until the next probe. In the
   * half-open state only one probe is allowed at a time.
   */
  acquire(): number {
    const state = this.state;
    if (state === 'closed') return 0;
    if (state === 'half_open' && !this.probing) {
      this.probing = true;
      return 0;
    }
    return Math.max(1, this.opts.cooldownMs - (this.now() - this.openedAt));
  }

  onSuccess(): void {
    this.failures = 0;
    this.probing = false;
  }

  /** The request that acquired ended without telling us about the endpoint (cancelled). */
  release(): void {
    this.probing = false;
  }

  onFailure(): void {
    this.probing = false;
    this.failures++;
    if (this.failures >= this.opts.failureThreshold) {
      if (this.failures === this.opts.failureThreshold || this.state === 'half_open') this.opened++;
      this.openedAt = this.now();
    }
  }
}
