/**
 * Run metrics: one JSON line per training step and per evaluation in `metrics.jsonl`, plus a
 * compact live progress line. Rows are also kept in memory so a checkpoint holds every row so
 * far, and a resumed run rewrites the file to exactly those rows before appending: steps after
 * the checkpoint that died with the old process never appear twice.
 */
import { appendFile } from 'node:fs/promises';
import { toJsonl, writeFileAtomic } from '../../../lib/files.ts';

/** One GRPO step. Rewards are over scored samples only (masked samples are counted apart). */
export interface StepMetrics {
  type: 'step';
  step: number;
  epoch: number;
  questions: number;
  samples: number;
  /** Mean reward of the scored samples (the training reward). */
  rewardMean: number;
  scored: number;
  /** Samples whose judge failed (reward null): masked out of the update. */
  masked: number;
  zeroVarianceGroups: number;
  skippedGroups: number;
  trainedSamples: number;
  loss: number;
  kl: number;
  clipFraction: number;
  gradNorm: number;
  /** vllm engine: largest per-token log-prob gap of the probe between engine and learner after the weight sync. */
  probeGap?: number;
  /** Seconds spent in each phase of the step. */
  /**
   * Wall-clock per phase: `generate` (reset + sampling), `judge` (the env's step, where the
   * judge runs), `score` (reference log-probs in the worker), `train` (policy forward, backward,
   * optimizer, plus the frames to and from the worker), `total`.
   */
  seconds: { generate: number; judge: number; score: number; train: number; total: number };
  /**
   * Inside the phases: the env's round trips as the coordinator saw them, `reset` (in
   * `generate`) and `step` (in `judge`), the server's work and its wire. Absent in rows
   * written before it was recorded.
   */
  env?: { reset: number; step: number };
  /**
   * The worker's own seconds (its replies' `compute_s`): `generate` (in `generate`),
   * `trainStep` (the `train_step` calls: `score` + `train`). What a phase holds beyond the env
   * and the worker is the coordinator's own work and the frames to and from the worker.
   */
  worker?: { generate: number; trainStep: number };
}

/** One greedy evaluation of a split. */
export interface EvalMetrics {
  type: 'eval';
  step: number;
  split: string;
  questions: number;
  accuracy: number;
  /** Share of answers equal to the question's popular value (FactWorld), when known. */
  popularShare?: number;
  masked: number;
}

export type MetricsRow = StepMetrics | EvalMetrics;

export class MetricsLog {
  private readonly rowsSoFar: MetricsRow[];

  private constructor(
    readonly path: string,
    rows: MetricsRow[],
  ) {
    this.rowsSoFar = rows;
  }

  /** A new log, or one restored to a checkpoint's rows (the file is rewritten to match). */
  static async open(path: string, rows: readonly MetricsRow[] = []): Promise<MetricsLog> {
    await writeFileAtomic(path, toJsonl(rows));
    return new MetricsLog(path, [...rows]);
  }

  async append(row: MetricsRow): Promise<void> {
    this.rowsSoFar.push(row);
    await appendFile(this.path, `${JSON.stringify(row)}\n`);
  }

  get rows(): readonly MetricsRow[] {
    return this.rowsSoFar;
  }

  steps(): StepMetrics[] {
    return this.rowsSoFar.filter((r): r is StepMetrics => r.type === 'step');
  }

  evals(): EvalMetrics[] {
    return this.rowsSoFar.filter((r): r is EvalMetrics => r.type === 'eval');
  }
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

/**
 * `step 12/300 ep 0 reward 43.1% (avg10 40.2%) kl 0.0012 clip 0.0% zero-var 10/32 masked 0 2.1s/step eta 10m05s`
 */
export function progressLine(
  row: StepMetrics,
  totalSteps: number,
  recent: readonly StepMetrics[],
): string {
  const window = recent.slice(-10);
  const avg = window.reduce((a, r) => a + r.rewardMean, 0) / Math.max(1, window.length);
  const perStep = window.reduce((a, r) => a + r.seconds.total, 0) / Math.max(1, window.length);
  return [
    `step ${row.step}/${totalSteps}`,
    `ep ${row.epoch}`,
    `reward ${pct(row.rewardMean)} (avg10 ${pct(avg)})`,
    `kl ${row.kl.toFixed(4)}`,
    `clip ${pct(row.clipFraction)}`,
    `zero-var ${row.zeroVarianceGroups}/${row.questions}`,
    `masked ${row.masked}`,
    `${perStep.toFixed(1)}s/step`,
    `eta ${duration(perStep * (totalSteps - row.step))}`,
  ].join(' ');
}
