/**
 * A concurrency limit with a bounded FIFO queue: at most `limit` holders at once, at most
 * `maxQueue` waiting; beyond that `acquire` refuses at once (the server answers 429 with
 * retry-after rather than letting work pile up). A waiter whose signal aborts leaves the queue.
 */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
}

export class Semaphore {
  private active = 0;
  private readonly waiting: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];

  constructor(
    readonly limit: number,
    readonly maxQueue: number,
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Wait for a slot; the returned function gives it back (call it exactly once). */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active < this.limit && this.waiting.length === 0) {
      this.active++;
      return this.releaser();
    }
    if (this.waiting.length >= this.maxQueue) {
      throw new QueueFullError(`${this.active} running and ${this.waiting.length} queued`);
    }
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const entry = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next)
        next.resolve(); // the slot passes straight to the next waiter
      else this.active--;
    };
  }
}
