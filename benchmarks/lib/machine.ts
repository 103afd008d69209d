/** The machine a run was measured on: CPUs, load, memory, runtimes and the commit. */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';
import type { Machine } from './result.ts';

const quiet = (cmd: string, args: string[], cwd: string): string | null => {
  try {
    return execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
};

export function describeMachine(root: string, python: string | null, note: string): Machine {
  const load = loadavg();
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memGiB: totalmem() / 2 ** 30,
    loadAvgStart: load,
    loadAvgEnd: load,
    node: process.version,
    python: python
      ? quiet(python, ['-c', 'import sys; print(sys.version.split()[0])'], root)
      : null,
    commit: quiet('git', ['rev-parse', '--short=12', 'HEAD'], root) ?? 'unknown',
    dirty: (quiet('git', ['status', '--porcelain', '--untracked-files=no'], root) ?? '') !== '',
    platform: `${platform()} ${release()}`,
    note,
  };
}
