/**
 * The GRPO loop. Per step: `reset(B, n)` on the train split over the protocol, n answers per
 * question from the worker (token ids and sampling log-probs kept), `step` the answers,
 * group-relative advantages (judge failures masked, never 0), one `train_step`, metrics.
 * Every K steps a greedy evaluation and a checkpoint; SIGINT (via `shouldStop`) writes a
 * checkpoint and stops with FR_ERR_TRAIN_INTERRUPTED. A worker that dies is replaced and the
 * run continues from the latest checkpoint (at most `maxRecoveries` times).
 *
 * Exact resume: the worker checkpoint holds weights, optimizer, reference and every RNG; the
 * coordinator state holds step, metrics and the env's (epoch, cursor), where a fresh env
 * session starts (make option `start`; `skipTo` on servers that forbid it). Evaluations
 * sample with their own seeds, so they never move the worker's training generator.
 */
import { join } from 'node:path';
import { isFactRecallError } from '../../../lib/errors.ts';
import { Rng, seedFrom } from '../../../lib/rng.ts';
import type { WorkerClient } from '../worker-client.ts';
import type { TrainSample } from '../worker-types.ts';
import { batchAdvantages } from './advantages.ts';
import {
  CHECKPOINT_VERSION,
  type CheckpointRef,
  type CoordinatorState,
  readLatestCheckpoint,
  writeCheckpoint,
} from './checkpoint.ts';
import { learningHash, type TrainConfig } from './config.ts';
import type { EnvConnections } from './env-connection.ts';
import { trainError } from './errors.ts';
import { greedyEval } from './evaluate.ts';
import { MetricsLog, progressLine, type StepMetrics } from './metrics.ts';
import { actionsOf, generateForGroups, groupObservations, scoreRollout } from './rollout.ts';
import { openTrainBatches, type TrainBatches } from './train-batches.ts';

export interface TrainerOptions {
  config: TrainConfig;
  runDir: string;
  conn: EnvConnections;
  /**
   * A worker holding the initial policy (and reference) with this run's optimizer and loss
   * settings. Called at start and again after a crash (the checkpoint is then loaded into it).
   */
  startWorker: () => Promise<WorkerClient>;
  /** Continue from the run's latest checkpoint. */
  resume?: boolean;
  /** Worker crashes survived by reloading the latest checkpoint (default 2). */
  maxRecoveries?: number;
  /** Checked between steps; true writes a checkpoint and stops (SIGINT). */
  shouldStop?: () => boolean;
  /** After every step (tests kill the worker here). */
  onStep?: (row: StepMetrics, worker: WorkerClient) => void | Promise<void>;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** Carried in every checkpoint and restored on resume (e.g. evaluations before RL). */
  extra?: Record<string, unknown>;
}

export interface TrainResult {
  steps: number;
  totalSteps: number;
  metrics: MetricsLog;
  /** The worker after the last step (alive, for evaluations after RL); the caller shuts it down. */
  worker: WorkerClient;
  checkpoint: CheckpointRef;
  recoveries: number;
  extra: Record<string, unknown>;
}

/** Steps a config runs on a train split of `splitSize` questions. */
export function plannedSteps(cfg: TrainConfig, splitSize: number): number {
  const perEpoch = Math.ceil(splitSize / cfg.grpo.questionsPerBatch);
  const all = perEpoch * cfg.grpo.epochs;
  return cfg.grpo.maxSteps === undefined ? all : Math.min(all, cfg.grpo.maxSteps);
}

function isWorkerDeath(e: unknown): boolean {
  return (
    isFactRecallError(e, 'FR_ERR_WORKER_CRASHED') || isFactRecallError(e, 'FR_ERR_WORKER_TIMEOUT')
  );
}

/**
 * Run (or resume) GRPO. On success the caller owns the returned worker; when this throws
 * (interrupted, a worker lost more than `maxRecoveries` times, any other error) the worker it
 * started is shut down first, so no Python process outlives the run and keeps Node alive.
 */
export async function train(opts: TrainerOptions): Promise<TrainResult> {
  const owned: Owned = {};
  try {
    return await trainWith(opts, owned);
  } catch (e) {
    await owned.env?.close().catch(() => undefined);
    const w = owned.worker;
    if (w) await w.shutdown().catch(() => w.kill());
    throw e;
  }
}

/** What a failed run must release: its worker and its env session. */
interface Owned {
  worker?: WorkerClient;
  env?: TrainBatches;
}

async function trainWith(opts: TrainerOptions, owned: Owned): Promise<TrainResult> {
  const cfg = opts.config;
  const hash = learningHash(cfg);
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const maxRecoveries = opts.maxRecoveries ?? 2;
  const metricsPath = join(opts.runDir, 'metrics.jsonl');

  let worker = await opts.startWorker();
  owned.worker = worker;
  let state: CoordinatorState = {
    version: CHECKPOINT_VERSION,
    step: 0,
    learningHash: hash,
    data: { epoch: 0, cursor: 0 },
    rng: seedFrom('grpo-coordinator', cfg.seed),
    metrics: [],
    extra: { ...(opts.extra ?? {}) },
    savedAt: new Date().toISOString(),
  };
  let lastCheckpoint: CheckpointRef | undefined;
  if (opts.resume) {
    const { ref, state: saved } = await readLatestCheckpoint(opts.runDir, hash);
    await worker.load({ path: join(ref.workerDir, 'worker.pt') });
    state = saved;
    lastCheckpoint = ref;
    log(`resumed from ${ref.dir} (step ${saved.step})`);
  }
  const rng = new Rng(state.rng);
  let metrics = await MetricsLog.open(metricsPath, state.metrics);
  let env: TrainBatches = await openTrainBatches(opts.conn, state);
  owned.env = env;
  const splitSize = env.spec().splits.train ?? 0;
  if (splitSize === 0)
    throw trainError('FR_ERR_TRAIN_CONFIG_INVALID', 'the env has no train split');
  const total = plannedSteps(cfg, splitSize);
  let recoveries = 0;

  const checkpoint = async (): Promise<CheckpointRef> => {
    const snapshot: CoordinatorState = {
      ...state,
      rng: rng.snapshot,
      metrics: [...metrics.rows],
      savedAt: new Date().toISOString(),
    };
    lastCheckpoint = await writeCheckpoint(
      opts.runDir,
      snapshot,
      async (dir) => {
        await worker.save({ path: join(dir, 'worker.pt') });
      },
      cfg.checkpoint.keepLast,
    );
    return lastCheckpoint;
  };

  const sampling = {
    temperature: cfg.sampling.temperature,
    top_p: cfg.sampling.topP,
    top_k: cfg.sampling.topK,
    max_new_tokens: cfg.sampling.maxNewTokens,
  };
  const generate = (p: Parameters<WorkerClient['generate']>[0]) =>
    worker.generate(p, { timeoutMs: cfg.calls.workerDeadlineMs });

  while (state.step < total) {
    if (opts.shouldStop?.()) {
      const ref = await checkpoint();
      await env.close().catch(() => undefined);
      throw trainError('FR_ERR_TRAIN_INTERRUPTED', `at step ${state.step}; checkpoint ${ref.dir}`);
    }
    try {
      const t0 = performance.now();
      const r = await env.next(state.data, cfg.grpo.questionsPerBatch, cfg.grpo.groupSize);
      const tReset = performance.now();
      const generated0 = worker.computeSeconds('generate');
      const groups = await generateForGroups(groupObservations(r.observations), generate, sampling);
      const t1 = performance.now();
      const stepped = await r.step(actionsOf(groups));
      const tStep = performance.now();
      scoreRollout(groups, stepped);
      const t2 = performance.now();
      const trained0 = worker.computeSeconds('train_step');
      const adv = batchAdvantages(
        groups.map((g) => g.samples.map((s) => s.reward)),
        { mode: cfg.grpo.advantage, skipZeroVariance: cfg.grpo.skipZeroVarianceGroups },
      );
      const samples: TrainSample[] = groups.flatMap((g, gi) =>
        g.samples.map((s, si) => {
          const a = adv.groups[gi]!.advantages[si]!;
          return {
            prompt_ids: g.promptIds,
            completion_ids: s.tokenIds,
            old_logprobs: s.logprobs,
            advantage: a ?? 0,
            mask: a !== null,
          };
        }),
      );
      let last: Awaited<ReturnType<WorkerClient['trainStep']>> | undefined;
      let scoreSeconds = 0;
      for (let k = 0; k < cfg.grpo.innerEpochs; k++) {
        last = await worker.trainStep(
          { samples, micro_batch_size: cfg.grpo.microBatchSize },
          { timeoutMs: cfg.calls.workerDeadlineMs },
        );
        scoreSeconds += last.seconds.score;
      }
      const t3 = performance.now();
      const scored = groups.flatMap((g) => g.samples).filter((s) => s.reward !== null);
      const position = { epoch: r.epoch, cursor: r.cursor };
      const row: StepMetrics = {
        type: 'step',
        step: state.step + 1,
        epoch: r.epoch,
        questions: groups.length,
        samples: groups.length * cfg.grpo.groupSize,
        rewardMean: scored.length
          ? scored.reduce((a, s) => a + (s.reward ?? 0), 0) / scored.length
          : Number.NaN,
        scored: scored.length,
        masked: adv.maskedSamples,
        zeroVarianceGroups: adv.zeroVarianceGroups,
        skippedGroups: adv.skippedGroups,
        trainedSamples: adv.trainedSamples,
        loss: last!.loss,
        kl: last!.kl,
        clipFraction: last!.clip_frac,
        gradNorm: last!.grad_norm,
        ...(last!.sync ? { probeGap: last!.sync.max_abs } : {}),
        seconds: {
          generate: (t1 - t0) / 1000,
          judge: (t2 - t1) / 1000,
          score: scoreSeconds,
          train: (t3 - t2) / 1000 - scoreSeconds,
          total: (t3 - t0) / 1000,
        },
        env: { reset: (tReset - t0) / 1000, step: (tStep - t1) / 1000 },
        worker: {
          generate: worker.computeSeconds('generate') - generated0,
          trainStep: worker.computeSeconds('train_step') - trained0,
        },
      };
      // Evaluation and checkpoint are in the try too: a worker that dies in them is recovered
      // from like one that dies in a step.
      state = { ...state, step: row.step, data: position };
      await metrics.append(row);
      log(progressLine(row, total, metrics.steps()));
      if (cfg.eval.everySteps > 0 && state.step % cfg.eval.everySteps === 0 && state.step < total) {
        for (const split of cfg.eval.splits) {
          const ev = await greedyEval(opts.conn, generate, split, {
            ...(cfg.eval.maxQuestions !== undefined ? { maxQuestions: cfg.eval.maxQuestions } : {}),
            maxNewTokens: cfg.sampling.maxNewTokens,
          });
          await metrics.append({
            type: 'eval',
            step: state.step,
            split,
            questions: ev.questions,
            accuracy: ev.accuracy,
            masked: ev.masked,
          });
          log(
            `eval step ${state.step} ${split}: greedy ${(100 * ev.accuracy).toFixed(1)}% of ${ev.questions}`,
          );
        }
      }
      if (
        cfg.checkpoint.everySteps > 0 &&
        state.step % cfg.checkpoint.everySteps === 0 &&
        state.step < total
      ) {
        await checkpoint();
      }
      await opts.onStep?.(row, worker);
    } catch (e) {
      if (!isWorkerDeath(e) || recoveries >= maxRecoveries) throw e;
      recoveries++;
      log(
        `worker died (${(e as Error).message}); recovery ${recoveries}/${maxRecoveries} from the latest checkpoint`,
      );
      await env.close().catch(() => undefined);
      worker.kill();
      owned.worker = undefined;
      worker = await opts.startWorker();
      owned.worker = worker;
      if (lastCheckpoint) {
        const { ref, state: saved } = await readLatestCheckpoint(opts.runDir, hash);
        await worker.load({ path: join(ref.workerDir, 'worker.pt') });
        state = saved;
        log(`resumed from ${ref.dir} (step ${saved.step})`);
      } else {
        state = { ...state, step: 0, data: { epoch: 0, cursor: 0 }, metrics: [] };
        log('no checkpoint yet: restarting from the initial model');
      }
      metrics = await MetricsLog.open(metricsPath, state.metrics);
      owned.env = undefined;
      env = await openTrainBatches(opts.conn, state);
      owned.env = env;
    }
  }
  const ref = await checkpoint();
  await env.close().catch(() => undefined);
  return {
    steps: state.step,
    totalSteps: total,
    metrics,
    worker,
    checkpoint: ref,
    recoveries,
    extra: state.extra,
  };
}
