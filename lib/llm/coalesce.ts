/**
 * Coalescing of identical in-flight work: callers asking for the same key while a first call
 * runs share its result instead of starting another. Each caller may give up on its own (its
 * signal); the shared work is aborted only when every caller has given up.
 */

export class InFlight<T> {
  private readonly running = new Map<
    string,
    { promise: Promise<T>; waiters: number; ac: AbortController }
  >();

  /** Calls that joined work already in flight (for stats). */
  joined = 0;

  get size(): number {
    return this.running.size;
  }

  /**
   * Run `work` for `key`, or join the run in flight. Resolves `{ value, shared }`, where
   * shared says whether this caller joined someone else's run.
   */
  async run(
    key: string,
    work: (signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<{ value: T; shared: boolean }> {
    let entry = this.running.get(key);
    // A run whose callers all gave up is aborted and only winding down: a new caller must not
    // inherit its cancellation, so it starts a fresh run instead of joining.
    if (entry?.ac.signal.aborted) entry = undefined;
    const shared = entry !== undefined;
    if (entry === undefined) {
      const ac = new AbortController();
      const fresh: { promise: Promise<T>; waiters: number; ac: AbortController } = {
        promise: work(ac.signal).finally(() => {
          // Only this run's own entry: an aborted run may end after its replacement started.
          if (this.running.get(key) === fresh) this.running.delete(key);
        }),
        waiters: 0,
        ac,
      };
      entry = fresh;
      this.running.set(key, entry);
    } else {
      this.joined++;
    }
    const e = entry;
    e.waiters++;
    if (!signal) {
      try {
        return { value: await e.promise, shared };
      } finally {
        e.waiters--;
      }
    }
    return await new Promise<{ value: T; shared: boolean }>((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        if (--e.waiters === 0) e.ac.abort(signal.reason);
        reject(signal.reason);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      e.promise.then(
        (value) => {
          if (settled) return;
          settled = true;
          e.waiters--;
          signal.removeEventListener('abort', onAbort);
          resolve({ value, shared });
        },
        (err: unknown) => {
          if (settled) return;
          settled = true;
          e.waiters--;
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }
}
