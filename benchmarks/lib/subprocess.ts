/**
 * A benchmark that is its own script (the judge, load, leaderboard... benchmarks, written by
 * their areas): run it as a child process with a deadline, keep what it printed verbatim, and
 * turn a missing prerequisite or a failure into a skipped or failed entry with the reason,
 * never a silent gap.
 */
import { spawn } from 'node:child_process';
import type { BenchResult } from './result.ts';

export interface ScriptBench {
  name: string;
  title: string;
  cmd: string;
  args: string[];
  timeoutS: number;
  /** Why it cannot run here (a missing file, venv, model), checked first; null: runnable. */
  missing?: () => string | null;
}

const tail = (s: string, n = 1500) => (s.length > n ? `...${s.slice(-n)}` : s);

export function runScript(b: ScriptBench, cwd: string): Promise<BenchResult> {
  const command = [b.cmd, ...b.args].join(' ');
  const base = { name: b.name, title: b.title, command, tables: [] };
  const why = b.missing?.() ?? null;
  if (why) return Promise.resolve({ ...base, status: 'skipped', reason: why, seconds: 0 });
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(b.cmd, b.args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The whole group: a benchmark's own server child goes with it.
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {}
    }, b.timeoutS * 1000);
    const done = (code: number | null, error?: Error) => {
      clearTimeout(timer);
      const seconds = (performance.now() - t0) / 1000;
      if (code === 0 && !timedOut) {
        resolve({ ...base, status: 'ok', seconds, output: out });
        return;
      }
      const reason = timedOut
        ? `stopped after its ${b.timeoutS} s deadline`
        : error
          ? error.message
          : `exit code ${code}: ${tail(err.trim() || out.trim())}`;
      resolve({ ...base, status: 'failed', reason, seconds, ...(out ? { output: out } : {}) });
    };
    child.on('error', (e) => done(null, e));
    child.on('close', (code) => done(code));
  });
}
