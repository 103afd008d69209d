/**
 * A coordinator ended by SIGTERM ends its worker at once, mid-call, and under torchrun every
 * rank too (issue 16). Linux (/proc); needs a Python with torch; skipped otherwise, the reason
 * in the title.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/paths.ts';
import { pythonWithTorch } from '../../test/support/python-with-torch.ts';

const { python, skipWhy } = await pythonWithTorch();
const skip = !python ? skipWhy : process.platform !== 'linux' ? 'reads /proc (Linux)' : '';

/** The fields of a /proc/<pid>/stat after "pid (comm) ": state, ppid, ... */
function fieldsAfterComm(stat: string): string[] {
  const text = readFileSync(stat, 'utf8');
  return text.slice(text.lastIndexOf(') ') + 2).split(' ');
}

/** Running (not gone, not a zombie waiting for its parent). */
function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return fieldsAfterComm(stat)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** `pid` and every process below it. */
function tree(pid: number): number[] {
  const rows: [number, number][] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      rows.push([Number(name), Number(fieldsAfterComm(`/proc/${name}/stat`)[1])]);
    } catch {} // gone meanwhile
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++)
    for (const [child, parent] of rows) if (parent === out[i]) out.push(child);
  return out;
}

const coordinators: ChildProcess[] = [];
const survivors: number[] = [];
afterEach(() => {
  for (const c of coordinators.splice(0)) c.kill('SIGKILL');
  for (const pid of survivors.splice(0)) if (running(pid)) process.kill(pid, 'SIGKILL');
});

describe.skipIf(skip !== '')(
  `a coordinator stopped by SIGTERM${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it.each([1, 2])(
      'ends its worker of %i rank(s) mid-call, every rank included',
      async (ranks) => {
        const script = join(REPO_ROOT, 'test', 'support', 'busy-coordinator.ts');
        const c = spawn(process.execPath, ['--import', 'tsx', script, String(ranks), python!], {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        coordinators.push(c);
        const exited = new Promise<NodeJS.Signals | null>((r) => c.on('exit', (_, s) => r(s)));
        const pid = await new Promise<number>((resolve, reject) => {
          let out = '';
          c.stdout!.on('data', (d: Buffer) => {
            out += String(d);
            if (out.includes('\n')) resolve(Number(out.trim()));
          });
          c.on('exit', () => reject(new Error('the coordinator exited before its worker started')));
        });
        await new Promise((r) => setTimeout(r, 1_000)); // the pretraining call is under way
        const procs = tree(pid);
        survivors.push(...procs);
        expect(procs.length).toBeGreaterThanOrEqual(ranks === 1 ? 1 : 1 + ranks); // torchrun and its ranks
        expect(procs.every(running)).toBe(true);

        c.kill('SIGTERM');
        expect(await exited).toBe('SIGTERM');
        const deadline = Date.now() + 15_000;
        while (procs.some(running) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 100));
        expect(procs.filter(running)).toEqual([]);
      },
      180_000,
    );
  },
);
