/**
 * GRPO on a real language model (the `hf` engine) over prepared real splits, end to end: resolve
 * `--model` (a registry name is fetched), start an env server on loopback serving the prepared
 * splits with the run's judge, evaluate before RL, train through the protocol, evaluate after,
 * and write the report into `runs/<id>/`.
 *
 * Evaluations (before and after, same questions, same seeds):
 * - greedy accuracy on val (policy role) and test (eval role: the server's own count), with the
 *   run's judge and, beside it, exact match (the same greedy answers: generation is memoised,
 *   so the second judge costs no model time), to tell recall from format;
 * - n samples per val question for pass@k and the accessibility buckets (val is held out of RL);
 * - answer style: mean length and the share of one-line answers.
 */
import { isAbsolute, join, relative, resolve } from 'node:path';
import { writeFileAtomic } from '../../../lib/files.ts';
import { meanPassAtK, reportedKs } from '../../../lib/pass-at-k.ts';
import type { FetchOptions } from '../../../models/index.ts';
import { gainByBucket } from '../analysis/access-buckets.ts';
import { defaultRunId, phaseTimer } from '../analysis/phase-timer.ts';
import { type GreedyRow, type RunReport, writeRunReport } from '../analysis/report.ts';
import type { TrainConfig } from '../training/config.ts';
import { connectEnv } from '../training/env-connection.ts';
import { trainError } from '../training/errors.ts';
import type { GreedyEval, SampledCounts } from '../training/evaluate.ts';
import type { EvalMetrics } from '../training/metrics.ts';
import { train } from '../training/trainer.ts';
import { hfInitParams } from '../training/worker-settings.ts';
import { WorkerClient } from '../worker-client.ts';
import { type Evaluation, evaluateHf } from './hf-evaluate.ts';
import { answerStyle, formatTables, stepSecondsTable } from './hf-report.ts';
import { type ModelSource, resolveModelSource } from './model-source.ts';

export interface HfRunOptions {
  train: TrainConfig;
  resume?: boolean;
  log?: (line: string) => void;
  shouldStop?: () => boolean;
  /** How a registry model is fetched (tests pass a local index). */
  fetch?: FetchOptions;
  /** Which judge stands beside the run's judge in the report (default `exact`). */
  besideJudge?: string;
  /** The shell line that started the run, for the report (the CLI passes its argv). */
  command?: string;
}

export interface HfRunResult {
  runDir: string;
  reportPath: string;
  report: RunReport;
}

/** A worker holding the model at `source` with this run's optimizer and loss settings. */
export async function startHfWorker(cfg: TrainConfig, source: ModelSource): Promise<WorkerClient> {
  const w = await WorkerClient.start({
    ...(cfg.worker.python ? { python: cfg.worker.python } : {}),
    ranks: cfg.worker.ranks,
    parallel: cfg.worker.parallel,
    defaultTimeoutMs: cfg.calls.workerDeadlineMs,
  });
  try {
    await w.init(hfInitParams(cfg, source.path), { timeoutMs: cfg.calls.workerDeadlineMs });
  } catch (e) {
    await w.shutdown().catch(() => w.kill());
    throw e;
  }
  return w;
}

export async function runHfGrpo(opts: HfRunOptions): Promise<HfRunResult> {
  const cfg = opts.train;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  if ((cfg.worker.engine !== 'hf' && cfg.worker.engine !== 'vllm') || !cfg.worker.model)
    throw trainError(
      'FR_ERR_TRAIN_CONFIG_INVALID',
      'a real-model run needs worker.engine hf (or vllm) and worker.model',
    );
  if (!cfg.env.splits && !cfg.env.url && !cfg.env.urls)
    throw trainError(
      'FR_ERR_TRAIN_CONFIG_INVALID',
      'a real-model run needs env.splits (prepared splits) or env.url',
    );
  const beside = opts.besideJudge ?? 'exact';
  const runId = cfg.runId ?? defaultRunId('hf');
  const runDir = resolve(cfg.runsDir, runId);
  const { timings, timed } = phaseTimer();

  const source = await timed('model fetch', () =>
    resolveModelSource(cfg.worker.model!, { log, ...(opts.fetch ?? {}) }),
  );
  log(`model ${cfg.worker.model}: ${source.path} (${source.kind})`);
  await writeFileAtomic(
    join(runDir, 'config.json'),
    `${JSON.stringify({ train: cfg, model: source, besideJudge: beside }, null, 2)}\n`,
  );
  const conn = await connectEnv(cfg, { runDir });
  let first: WorkerClient | undefined = await timed('model load', () => startHfWorker(cfg, source));
  const maxNewTokens = cfg.sampling.maxNewTokens;
  const evaluateAll = (worker: WorkerClient, when: string): Promise<Evaluation> =>
    evaluateHf(conn, worker, cfg, { runDir, when, beside, log });

  try {
    const before = await timed('evaluate before RL', () => evaluateAll(first!, 'before RL'));
    const result = await timed('GRPO', () =>
      train({
        config: cfg,
        runDir,
        conn,
        startWorker: async () => {
          const w = first ?? (await startHfWorker(cfg, source));
          first = undefined;
          return w;
        },
        ...(opts.resume ? { resume: true } : {}),
        ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
        log,
      }),
    );
    const after = await timed('evaluate after RL', () => evaluateAll(result.worker, 'after RL'));
    await result.worker.shutdown().catch(() => undefined);

    const who = { val: 'held-out val questions', test: 'held-out test questions (eval role)' };
    const greedyRows: GreedyRow[] = (['val', 'test'] as const).map((s) => ({
      split: s,
      who: `${who[s]}, judge ${cfg.env.judge}`,
      questions: before.greedy[s].questions,
      before: before.greedy[s].accuracy,
      after: after.greedy[s].accuracy,
    }));
    for (const s of ['val', 'test'] as const)
      greedyRows.push({
        split: `${s} (${beside})`,
        who: `${who[s]}, judge ${beside}: the same answers`,
        questions: before.beside[s].questions,
        before: before.beside[s].accuracy,
        after: after.beside[s].accuracy,
      });
    const passRows = [];
    if (before.sampled && after.sampled) {
      const counts = (x: SampledCounts) =>
        x.perQuestion.map((q) => ({ n: q.scored, c: q.correct }));
      for (const k of reportedKs(before.sampled.samples))
        passRows.push({
          split: 'val',
          samples: before.sampled.samples,
          questions: before.sampled.perQuestion.length,
          k,
          before: meanPassAtK(counts(before.sampled), k),
          after: meanPassAtK(counts(after.sampled), k),
          chance: Number.NaN,
        });
    }
    const byId = (ev: GreedyEval) => new Map(ev.answers.map((a) => [a.questionId, a.reward === 1]));
    const gBefore = byId(before.greedy.val);
    const gAfter = byId(after.greedy.val);
    const evals: EvalMetrics[] = [
      ...(['val', 'test'] as const).map((s) => evalRow(0, s, before.greedy[s])),
      ...result.metrics.evals(),
      ...(['val', 'test'] as const).map((s) => evalRow(result.steps, s, after.greedy[s])),
    ];
    const steps = result.metrics.steps();
    const report: RunReport = {
      runId,
      title: `GRPO on ${cfg.worker.model} over ${cfg.env.splits ?? cfg.env.url}`,
      ...(opts.command ? { command: opts.command } : {}),
      setup: [
        `Model: ${cfg.worker.model} (${shownPath(source.path)}${source.sha256 ? `, sha256 ${source.sha256.slice(0, 12)}…` : ''}), engine ${cfg.worker.engine}, ${cfg.worker.dtype} on ${cfg.worker.device}, ${cfg.worker.threads} torch thread(s).`,
        `Env: FactRecall-v0 over ${cfg.env.transport}, prompt ${cfg.env.prompt}, judge ${cfg.env.judge} (reward); ${beside} reported beside it on the same greedy answers.`,
        `GRPO: ${result.steps} steps of ${cfg.grpo.questionsPerBatch} questions x ${cfg.grpo.groupSize} answers (max ${maxNewTokens} new tokens), lr ${cfg.grpo.lr}, KL ${cfg.grpo.klCoef} (k3), clip ${cfg.grpo.clipEps}, T ${cfg.sampling.temperature}, top-p ${cfg.sampling.topP}.`,
        `Evaluation: greedy on the first ${before.greedy.val.questions} val and ${before.greedy.test.questions} test questions; pass@k from n = ${cfg.eval.passAtKSamples} samples on ${before.sampled?.perQuestion.length ?? 0} val questions.`,
      ],
      greedy: greedyRows,
      passAtK: passRows,
      ...(before.sampled
        ? {
            buckets: {
              split: 'val',
              samples: before.sampled.samples,
              rows: gainByBucket(
                before.sampled.perQuestion.map((q) => ({
                  questionId: q.questionId,
                  correctSamples: q.correct,
                  samples: q.scored,
                  greedyBefore: gBefore.get(q.questionId) ?? false,
                  greedyAfter: gAfter.get(q.questionId) ?? false,
                })),
              ),
            },
          }
        : {}),
      goldProb: [],
      tables: formatTables(
        (['val', 'test'] as const).map((s) => ({
          split: s,
          before: answerStyle(before.greedy[s]),
          after: answerStyle(after.greedy[s]),
        })),
        stepSecondsTable(steps),
      ),
      steps,
      evals,
      timings,
      notes: [
        "Test accuracy is the server's own count (eval role: no per-episode rewards leave the server); pass@k and buckets use val (held out of RL).",
        `A gain under ${cfg.env.judge} that ${beside} does not show is format (the answer moved into or out of a sentence), not recall.`,
        `Worker recoveries during training: ${result.recoveries}.`,
      ],
    };
    const reportPath = await writeRunReport(runDir, report);
    return { runDir, reportPath, report };
  } finally {
    if (first) await first.shutdown().catch(() => undefined);
    await conn.close();
  }
}

function evalRow(step: number, split: 'val' | 'test', ev: GreedyEval): EvalMetrics {
  return {
    type: 'eval',
    step,
    split,
    questions: ev.questions,
    accuracy: ev.accuracy,
    masked: ev.masked,
  };
}

/** A path as the report shows it: relative to the working directory when inside it (so a report
 * made in one clone reads the same in another). */
function shownPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
}
