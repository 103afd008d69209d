/** Wall-clock seconds per named phase of a run, for the report's timing table. */
export interface PhaseTimer {
  /** Seconds per phase, in the order the phases ran. */
  readonly timings: Record<string, number>;
  /** Run `f`, recording its seconds under `name` (also when it throws). */
  timed<T>(name: string, f: () => Promise<T>): Promise<T>;
}

export function phaseTimer(): PhaseTimer {
  const timings: Record<string, number> = {};
  return {
    timings,
    async timed(name, f) {
      const t = performance.now();
      try {
        return await f();
      } finally {
        timings[name] = (performance.now() - t) / 1000;
      }
    },
  };
}

/** `runs/<prefix>-<ISO time>` when no run id is given. */
export function defaultRunId(prefix: string): string {
  return `${prefix}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}
