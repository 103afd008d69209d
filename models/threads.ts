/**
 * How many CPU threads this process may really use: the smaller of the CPUs in its affinity
 * mask (`os.availableParallelism`) and its cgroup CPU quota (containers). llama.cpp's default
 * (all hardware threads, or more) oversubscribes a busy machine: on the 2-core dev machine a
 * 16-token answer took 65 s with the default and under 1 s with `threads: 2`.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** The cgroup v2 quota `cpu.max` ("max 100000" or "150000 100000") in CPUs, if any. */
export function cgroupCpuLimit(text: string | undefined): number | undefined {
  const m = text ? /^(\d+)\s+(\d+)/.exec(text.trim()) : null;
  if (!m) return undefined;
  const quota = Number(m[1]);
  const period = Number(m[2]);
  return period > 0 ? Math.max(1, Math.floor(quota / period)) : undefined;
}

export function usableCpus(): number {
  let quota: number | undefined;
  try {
    quota = cgroupCpuLimit(readFileSync('/sys/fs/cgroup/cpu.max', 'utf8'));
  } catch {
    quota = undefined;
  }
  return Math.max(1, Math.min(availableParallelism(), quota ?? Number.POSITIVE_INFINITY));
}
