/**
 * A GRPO step dissected: `factrecall train` runs a few steps (no evaluations between them, no
 * checkpoints but the last), and each step's metrics row gives its seconds split into generate
 * (reset + the worker's sampling), judge (the env's step), score (reference log-probs in the
 * worker) and train (forward, backward, optimizer, with the frames to and from the worker).
 * Beside the steps: the process's wall-clock outside them (Node and Python start-up, the
 * worker's model load, the tiny model's pretraining when not cached, the evaluations before
 * and after, the final checkpoint).
 *
 *   node --import tsx benchmarks/grpo_step.ts [--quick] [--smollm2]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, REPO_ROOT } from '../lib/paths.ts';
import type { BenchResult } from './lib/result.ts';
import { ms, renderTable, type Table } from './lib/table.ts';

const PHASES = ['generate', 'judge', 'score', 'train'] as const;

interface StepRow {
  type: string;
  seconds: Record<(typeof PHASES)[number] | 'total', number>;
  env?: { reset: number; step: number };
  worker?: { generate: number; trainStep: number };
}

/** One phase's mean seconds: the worker's own compute, the env's round trips, and the rest. */
export interface OverheadRow {
  part: string;
  seconds: number;
  worker: number;
  env: number;
  /** What neither the worker nor the env accounts for: the coordinator's work and the pipe (frames, IPC). */
  rest: number;
}

/**
 * Mean seconds a step of each phase split into the worker's own compute (its replies'
 * compute_s), the env's round trips, and the rest (coordinator + IPC); null when the rows
 * predate those fields.
 */
export function overhead(rows: readonly StepRow[]): OverheadRow[] | null {
  const steps = rows.filter((r) => r.type === 'step');
  if (steps.length === 0 || steps.some((r) => !r.env || !r.worker)) return null;
  const mean = (f: (r: StepRow) => number) => steps.reduce((a, r) => a + f(r), 0) / steps.length;
  const row = (part: string, seconds: number, worker: number, env: number): OverheadRow => ({
    part,
    seconds,
    worker,
    env,
    rest: seconds - worker - env,
  });
  const parts = [
    row(
      'generate (reset + sampling)',
      mean((r) => r.seconds.generate),
      mean((r) => r.worker!.generate),
      mean((r) => r.env!.reset),
    ),
    row(
      'judge (env step)',
      mean((r) => r.seconds.judge),
      0,
      mean((r) => r.env!.step),
    ),
    row(
      'score + train (train_step)',
      mean((r) => r.seconds.score + r.seconds.train),
      mean((r) => r.worker!.trainStep),
      0,
    ),
  ];
  const sum = (f: (o: OverheadRow) => number) => parts.reduce((a, o) => a + f(o), 0);
  const total = mean((r) => r.seconds.total);
  // The phases tile the step, so the whole step's rest is the phases' rest plus any gap.
  return [
    ...parts,
    row(
      'whole step',
      total,
      sum((o) => o.worker),
      sum((o) => o.env),
    ),
  ];
}

/** Mean seconds per phase over steps, each phase's share of the step, and the rest. */
export function dissect(rows: readonly StepRow[]) {
  const steps = rows.filter((r) => r.type === 'step');
  if (steps.length === 0) throw new Error('no step rows');
  const mean = (f: (r: StepRow) => number) => steps.reduce((a, r) => a + f(r), 0) / steps.length;
  const total = mean((r) => r.seconds.total);
  const phases = PHASES.map((p) => ({ phase: p, seconds: mean((r) => r.seconds[p]) }));
  const rest = total - phases.reduce((a, p) => a + p.seconds, 0);
  return { steps: steps.length, total, phases, rest };
}

function runTrain(
  args: string[],
  timeoutS: number,
): Promise<{ code: number | null; seconds: number; err: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(
      'node',
      [join(REPO_ROOT, 'bin', 'factrecall.js'), 'train', '--quiet', ...args],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutS * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, seconds: (performance.now() - t0) / 1000, err });
    });
  });
}

interface Case {
  label: string;
  args: string[];
  steps: number;
  missing?: () => string | null;
}

async function measure(
  c: Case,
  timeoutS: number,
): Promise<{ tables?: Table[]; reason?: string; metrics?: Record<string, number> }> {
  const why = c.missing?.();
  if (why) return { reason: `${c.label}: ${why}` };
  const dir = await mkdtemp(join(tmpdir(), 'fr-grpo-bench-'));
  try {
    const r = await runTrain(
      [
        '--run-id',
        'bench',
        '--set',
        `runsDir=${dir}`,
        '--set',
        `grpo.maxSteps=${c.steps}`,
        '--set',
        'eval.everySteps=0',
        '--set',
        'checkpoint.everySteps=0',
        ...c.args,
      ],
      timeoutS,
    );
    const path = join(dir, 'bench', 'metrics.jsonl');
    if (r.code !== 0 || !existsSync(path)) {
      return {
        reason: `${c.label}: train exited ${r.code} after ${r.seconds.toFixed(0)} s: ${r.err.trim().slice(-600)}`,
      };
    }
    const rows = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as StepRow);
    const d = dissect(rows);
    const stepsSeconds = d.total * d.steps;
    const share = (s: number) => `${((100 * s) / d.total).toFixed(1)}%`;
    const table: Table = {
      title: `${c.label}: ${d.steps} steps, mean ${d.total.toFixed(2)} s a step`,
      header: ['phase', 'ms a step', 'share of step'],
      rows: [
        ...d.phases.map((p) => [p.phase, ms(p.seconds * 1000), share(p.seconds)]),
        ['step, not in a phase', ms(d.rest * 1000), share(d.rest)],
        [
          'whole process outside the steps (s)',
          (r.seconds - stepsSeconds).toFixed(1),
          `${((100 * (r.seconds - stepsSeconds)) / r.seconds).toFixed(0)}% of ${r.seconds.toFixed(0)} s wall`,
        ],
      ],
      notes: [
        `\`factrecall train --quiet --set grpo.maxSteps=${c.steps} --set eval.everySteps=0 --set checkpoint.everySteps=0 ${c.args.join(' ')}\``,
      ],
    };
    const metrics: Record<string, number> = { [`${c.label} step s`]: d.total };
    for (const p of d.phases) metrics[`${c.label} ${p.phase} s`] = p.seconds;
    const tables = [table];
    const o = overhead(rows);
    if (o) {
      const pct = (x: number) => `${((100 * x) / d.total).toFixed(1)}%`;
      tables.push({
        title: `${c.label}: where a step's time goes (worker compute, env, coordinator + IPC), mean of ${d.steps} steps`,
        header: [
          'part of the step',
          'ms',
          'worker compute ms',
          'env round trips ms',
          'coordinator + IPC ms',
          'coordinator + IPC, of step',
        ],
        rows: o.map((r) => [
          r.part,
          ms(r.seconds * 1000),
          ms(r.worker * 1000),
          ms(r.env * 1000),
          ms(r.rest * 1000),
          pct(r.rest),
        ]),
        notes: [
          "Worker compute: the worker's own seconds on its calls (each reply's `compute_s`: request decoded to reply built). Env round trips: the reset and step calls as the coordinator saw them (the in-process loopback server's work, the judge included, and its WebSocket). Coordinator + IPC: the rest: the coordinator's own work (grouping, advantages, building the train batch) and the frames to and from the worker (msgpack encode/decode on both sides, the pipe). Target: below 5% of a step.",
        ],
      });
      const whole = o.at(-1)!;
      metrics[`${c.label} worker compute s`] = whole.worker;
      metrics[`${c.label} env s`] = whole.env;
      metrics[`${c.label} coordinator+ipc s`] = whole.rest;
      metrics[`${c.label} coordinator+ipc share`] = whole.rest / d.total;
    }
    return { tables, metrics };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(opts: { quick: boolean; smollm2: boolean }): Promise<BenchResult> {
  const t0 = performance.now();
  const cases: Case[] = [
    {
      label: 'FactWorld, tiny engine',
      steps: opts.quick ? 2 : 5,
      // A small world pretrained for 2 epochs (cached after the first run): step timing does not
      // depend on how well the tiny model knows its world, and the demo's 200-person 16-epoch
      // pretraining alone takes many minutes on a busy 2-core machine.
      args: ['--set', 'organism.world.people=40', '--set', 'organism.pretrain.epochs=2'],
    },
  ];
  if (opts.smollm2) {
    cases.push({
      label: 'SmolLM2-135M-Instruct, hf engine, CPU',
      steps: 1,
      args: ['--model', 'smollm2', '--splits', 'simpleqa', '--preset', 'cpu'],
      missing: () =>
        !existsSync(cacheDir('models', 'smollm2'))
          ? 'model not fetched (npx factrecall model fetch smollm2)'
          : !existsSync(cacheDir('prepared', 'simpleqa'))
            ? 'splits not prepared (npx factrecall data prepare --dataset simpleqa)'
            : null,
    });
  }
  const tables: Table[] = [];
  const reasons: string[] = [];
  const metrics: Record<string, number> = {};
  for (const c of cases) {
    const m = await measure(c, opts.quick ? 600 : 900);
    if (m.tables) tables.push(...m.tables);
    if (m.reason) reasons.push(m.reason);
    Object.assign(metrics, m.metrics ?? {});
  }
  return {
    name: 'grpo-step',
    title: 'A GRPO step, dissected',
    command: `node --import tsx benchmarks/grpo_step.ts${opts.quick ? ' --quick' : ''}${opts.smollm2 ? ' --smollm2' : ''}`,
    status: tables.length === 0 ? 'failed' : 'ok',
    ...(reasons.length ? { reason: reasons.join('; ') } : {}),
    seconds: (performance.now() - t0) / 1000,
    tables,
    metrics,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await run({
    quick: process.argv.includes('--quick'),
    smollm2: process.argv.includes('--smollm2'),
  });
  for (const t of r.tables) process.stdout.write(`\n${renderTable(t)}\n`);
  if (r.reason) process.stdout.write(`\n${r.reason}\n`);
}
