/**
 * Finding a Python that can run the policy worker, and the command that starts it.
 *
 * Candidates, in order: FACTRECALL_PYTHON (when set, it is the only one tried: an explicit
 * choice never silently falls back), the project's `.venv/bin/python` (made by
 * `node scripts/setup.mjs`), then `python3` on the PATH. A candidate qualifies when it can
 * `import torch, numpy, msgpack`; otherwise the coded error says what each one lacked and what
 * to install.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { REPO_ROOT } from '../../lib/paths.ts';
import { workerError } from './errors.ts';

/** Where a candidate interpreter came from. */
export type PythonSource = 'FACTRECALL_PYTHON' | 'venv' | 'python3';

export interface PythonCandidate {
  readonly python: string;
  readonly source: PythonSource;
}

/** A Python that has what the worker needs. */
export interface PythonWithTorch extends PythonCandidate {
  readonly pythonVersion: string;
  readonly torchVersion: string;
  readonly cudaAvailable: boolean;
}

/** What one probe found: the versions, or why the interpreter does not qualify. */
export type ProbeResult =
  | { ok: true; pythonVersion: string; torchVersion: string; cudaAvailable: boolean }
  | { ok: false; reason: string };

export interface FindPythonOptions {
  /** Environment to read FACTRECALL_PYTHON from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Repository root holding `.venv` (default the checkout). */
  root?: string;
  /** Last-resort interpreter name (default `python3`). */
  fallback?: string;
  /** Per-candidate probe deadline (default 180 s: importing torch took over 60 s on a 2-core machine shared by seven jobs). */
  timeoutMs?: number;
}

/** The folder holding the `factrecall_worker` package. */
export const WORKER_DIR = join(REPO_ROOT, 'cuda-agent', 'worker');

const PROBE = [
  'import json, platform',
  'import numpy, msgpack, torch',
  'print(json.dumps({"python": platform.python_version(), "torch": torch.__version__, "cuda": torch.cuda.is_available()}))',
].join('\n');

/** The interpreters to try, in order (see the module comment). */
export function pythonCandidates(opts: FindPythonOptions = {}): PythonCandidate[] {
  const env = opts.env ?? process.env;
  const explicit = env.FACTRECALL_PYTHON;
  if (explicit) return [{ python: explicit, source: 'FACTRECALL_PYTHON' }];
  const out: PythonCandidate[] = [];
  const venv = join(opts.root ?? REPO_ROOT, '.venv', 'bin', 'python');
  if (existsSync(venv)) out.push({ python: venv, source: 'venv' });
  out.push({ python: opts.fallback ?? 'python3', source: 'python3' });
  return out;
}

/** Run one interpreter with the import probe. Never throws. */
export function probePython(python: string, timeoutMs = 180_000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(python, ['-c', PROBE], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return resolve({ ok: false, reason: 'not found' });
        if (code === 'EACCES') return resolve({ ok: false, reason: 'not executable' });
        if (err.killed) return resolve({ ok: false, reason: `no answer within ${timeoutMs} ms` });
        const missing = /No module named '([^']+)'/.exec(String(stderr));
        if (missing) return resolve({ ok: false, reason: `no module ${missing[1]}` });
        const last = String(stderr).trim().split('\n').pop() ?? err.message;
        return resolve({ ok: false, reason: last.slice(0, 300) });
      }
      try {
        const v = JSON.parse(String(stdout).trim().split('\n').pop() ?? '') as {
          python: string;
          torch: string;
          cuda: boolean;
        };
        resolve({
          ok: true,
          pythonVersion: v.python,
          torchVersion: v.torch,
          cudaAvailable: v.cuda,
        });
      } catch {
        resolve({ ok: false, reason: `unexpected probe output: ${String(stdout).slice(0, 200)}` });
      }
    });
  });
}

/**
 * The first candidate with torch, numpy and msgpack.
 * @throws FR_ERR_WORKER_NO_PYTHON listing every candidate and why it failed.
 */
export async function findPythonWithTorch(opts: FindPythonOptions = {}): Promise<PythonWithTorch> {
  const tried: string[] = [];
  for (const c of pythonCandidates(opts)) {
    const r = await probePython(c.python, opts.timeoutMs);
    if (r.ok) {
      const { ok: _, ...versions } = r;
      return { ...c, ...versions };
    }
    tried.push(`${c.python} (${c.source}): ${r.reason}`);
  }
  throw workerError('FR_ERR_WORKER_NO_PYTHON', `tried ${tried.join('; ')}`, {
    details: { tried },
  });
}

const cache = new Map<string, Promise<PythonWithTorch>>();

/** `findPythonWithTorch` once per (FACTRECALL_PYTHON, root) for the life of the process. */
export function findPythonWithTorchCached(opts: FindPythonOptions = {}): Promise<PythonWithTorch> {
  const key = `${(opts.env ?? process.env).FACTRECALL_PYTHON ?? ''}\0${opts.root ?? REPO_ROOT}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = findPythonWithTorch(opts);
    hit.catch(() => cache.delete(key)); // a failure is retried after the user fixes it
    cache.set(key, hit);
  }
  return hit;
}

/**
 * How to start the worker with `python`: `python -m factrecall_worker`, the package on
 * PYTHONPATH. With `ranks` > 1 it runs under torchrun on this machine
 * (`python -m torch.distributed.run --standalone --nproc_per_node <ranks>`): data-parallel
 * ranks, rank 0 answering on stdio (cuda-agent/worker/README.md, "Data parallelism"), as DDP
 * or FSDP (`parallel`, passed as FACTRECALL_PARALLEL).
 */
export function workerCommand(
  python: string,
  env: NodeJS.ProcessEnv = process.env,
  ranks = 1,
  parallel: 'ddp' | 'fsdp' = 'ddp',
): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const pythonPath = env.PYTHONPATH ? `${WORKER_DIR}${delimiter}${env.PYTHONPATH}` : WORKER_DIR;
  const torchrun = ['-m', 'torch.distributed.run', '--standalone', `--nproc_per_node=${ranks}`];
  const dp = ranks > 1 ? { FACTRECALL_PARALLEL: parallel } : {};
  return {
    command: python,
    args: [...(ranks > 1 ? torchrun : []), '-m', 'factrecall_worker'],
    env: { ...env, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: '1', ...dp },
  };
}
