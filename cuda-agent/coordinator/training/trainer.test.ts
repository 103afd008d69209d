/**
 * The GRPO loop end to end with the real Python worker and a real env server on 127.0.0.1:
 * a small FactWorld, a tiny model pretrained once (cached in the OS temp folder), a few steps.
 * Needs a Python with torch (`npm test` makes .venv); skipped with a printed reason otherwise.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld, worldSplitSource } from '../../../env/datasets/factworld/index.ts';
import { isFactRecallError } from '../../../lib/errors.ts';
import { TEST_TRAIN, testCacheDir, testOrganism } from '../../../test/support/test-organism.ts';
import { findPythonWithTorch } from '../launcher.ts';
import { startRlWorker } from '../organism/factworld-run.ts';
import { ensurePretrained, type PretrainedModel } from '../organism/pretrain.ts';
import type { WorkerClient } from '../worker-client.ts';
import { deepMerge, parseTrainConfig, type TrainConfig } from './config.ts';
import { connectEnv, type EnvConnections, startLoopbackServer } from './env-connection.ts';
import type { StepMetrics } from './metrics.ts';
import { type TrainResult, train } from './trainer.ts';

let python: string | undefined;
try {
  python = (await findPythonWithTorch()).python;
} catch (e) {
  console.warn(`skipping the GRPO loop tests: no Python with torch (${(e as Error).message})`);
}

const organism = testOrganism();
const world = generateWorld(organism.world);
const source = worldSplitSource(world);
const config = (over: Record<string, unknown> = {}): TrainConfig =>
  parseTrainConfig(deepMerge(TEST_TRAIN as Record<string, unknown>, over));

describe.skipIf(!python)('the GRPO loop (real worker, env server on loopback)', () => {
  let model: PretrainedModel;
  let conn: EnvConnections;
  let previousCache: string | undefined;
  const quiet = () => {};

  beforeAll(async () => {
    previousCache = process.env.FACTRECALL_CACHE;
    process.env.FACTRECALL_CACHE = testCacheDir();
    model = await ensurePretrained(organism, {
      world,
      quiet: true,
      python: python!,
    });
    conn = await connectEnv(config(), {
      source,
      runDir: await mkdtemp(join(tmpdir(), 'fr-grpo-env-')),
    });
  }, 240_000);

  afterAll(async () => {
    await conn?.close();
    if (previousCache === undefined) delete process.env.FACTRECALL_CACHE;
    else process.env.FACTRECALL_CACHE = previousCache;
  });

  const startWorker = () => startRlWorker(config({ worker: { python: python! } }), model.path);

  /** Log-probs of fixed completions: a fingerprint of the weights. */
  const probe = async (w: WorkerClient) => {
    const prompts = source.splits.val!.slice(0, 4).map((q) => `Q: ${q.question} A:`);
    const g = await w.generate({ prompts, greedy: true, max_new_tokens: 6 });
    const r = await w.logprobs({
      prompts: g.results.map((x) => x.prompt_ids),
      completions: g.results.map((x) => x.samples[0]!.token_ids),
      reference: false,
    });
    return r.policy.flat();
  };

  const run = async (cfg: TrainConfig, extra: Partial<Parameters<typeof train>[0]> = {}) =>
    train({
      config: cfg,
      runDir: join(cfg.runsDir, cfg.runId!),
      conn,
      startWorker,
      log: quiet,
      ...extra,
    });

  const stepsOf = (r: TrainResult) =>
    r.metrics
      .steps()
      .map((s: StepMetrics) => ({ ...s, seconds: undefined, env: undefined, worker: undefined }));

  it('changes the weights with one train step', async () => {
    const runsDir = await mkdtemp(join(tmpdir(), 'fr-grpo-'));
    const w = await startWorker();
    const before = await probe(w);
    await w.shutdown();
    const r = await run(config({ runsDir, runId: 'one', grpo: { maxSteps: 1 } }));
    const after = await probe(r.worker);
    await r.worker.shutdown();
    expect(r.steps).toBe(1);
    const row = r.metrics.steps()[0]!;
    expect(row.trainedSamples).toBeGreaterThan(0);
    // The env's round trips and the worker's own seconds lie inside the phases that hold them.
    expect(row.worker!.generate).toBeGreaterThan(0);
    expect(row.worker!.generate).toBeLessThanOrEqual(row.seconds.generate - row.env!.reset);
    expect(row.env!.step).toBeLessThanOrEqual(row.seconds.judge);
    expect(row.worker!.trainStep).toBeGreaterThanOrEqual(row.seconds.score);
    expect(row.worker!.trainStep).toBeLessThanOrEqual(row.seconds.score + row.seconds.train);
    const moved = before.reduce((a, x, i) => Math.max(a, Math.abs(x - after[i]!)), 0);
    expect(moved).toBeGreaterThan(1e-4);
  }, 120_000);

  it('gives the same run for N steps as for N/2 steps, a SIGINT checkpoint, a resume and N/2 more', async () => {
    const runsDir = await mkdtemp(join(tmpdir(), 'fr-grpo-'));
    const straight = await run(config({ runsDir, runId: 'straight', grpo: { maxSteps: 6 } }));
    const straightProbe = await probe(straight.worker);
    await straight.worker.shutdown();

    const cfg = config({ runsDir, runId: 'halves', grpo: { maxSteps: 6 } });
    let stop = false;
    let interruptedWorker: WorkerClient | undefined;
    const interrupted = await run(cfg, {
      shouldStop: () => stop,
      onStep: (row, worker) => {
        interruptedWorker = worker;
        if (row.step === 3) stop = true;
      },
    }).catch((e: unknown) => e);
    expect(isFactRecallError(interrupted, 'FR_ERR_TRAIN_INTERRUPTED')).toBe(true);
    // The interrupted run owns no worker any more: its process is gone, nothing keeps Node up.
    expect(interruptedWorker?.exited).toBe(true);
    const resumed = await run(cfg, { resume: true });
    const resumedProbe = await probe(resumed.worker);
    await resumed.worker.shutdown();

    expect(resumed.steps).toBe(6);
    const a = stepsOf(straight);
    const b = stepsOf(resumed);
    expect(b.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    for (let i = 0; i < 6; i++) {
      expect(b[i]!.rewardMean).toBe(a[i]!.rewardMean);
      expect(b[i]!.loss).toBeCloseTo(a[i]!.loss, 5);
      expect(b[i]!.kl).toBeCloseTo(a[i]!.kl, 5);
    }
    for (let i = 0; i < straightProbe.length; i++)
      expect(resumedProbe[i]).toBeCloseTo(straightProbe[i]!, 4);
  }, 180_000);

  it('detects a killed worker and continues from the latest checkpoint to the same result', async () => {
    const runsDir = await mkdtemp(join(tmpdir(), 'fr-grpo-'));
    const reference = await run(config({ runsDir, runId: 'ref', grpo: { maxSteps: 6 } }));
    await reference.worker.shutdown();
    let killed = false;
    const r = await run(config({ runsDir, runId: 'killed', grpo: { maxSteps: 6 } }), {
      onStep: (row, worker) => {
        if (row.step === 4 && !killed) {
          killed = true;
          worker.kill();
        }
      },
    });
    await r.worker.shutdown();
    expect(killed).toBe(true);
    expect(r.recoveries).toBe(1);
    const steps = stepsOf(r);
    // Step 4 was done before the kill, but the checkpoint was at 3: it is redone, once.
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(steps.map((s) => s.rewardMean)).toEqual(stepsOf(reference).map((s) => s.rewardMean));
  }, 180_000);

  it('recovers from a worker that dies during an evaluation between steps', async () => {
    const runsDir = await mkdtemp(join(tmpdir(), 'fr-grpo-'));
    let killedInEval = false;
    const r = await run(
      config({
        runsDir,
        runId: 'eval-kill',
        grpo: { maxSteps: 4 },
        eval: { everySteps: 2, maxQuestions: 4, splits: ['val'] },
        checkpoint: { everySteps: 1 },
      }),
      {
        // The first worker dies at its first greedy (evaluation) call, after step 2.
        startWorker: async () => {
          const w = await startWorker();
          if (!killedInEval) {
            const generate = w.generate.bind(w);
            w.generate = (p, o) => {
              if (p.greedy && !killedInEval) {
                killedInEval = true;
                w.kill();
              }
              return generate(p, o);
            };
          }
          return w;
        },
      },
    );
    await r.worker.shutdown();
    expect(killedInEval).toBe(true);
    expect(r.recoveries).toBe(1);
    expect(stepsOf(r).map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect(r.metrics.evals().map((e) => e.step)).toEqual([2]);
  }, 120_000);

  it('trains with its batches sharded across two env servers, each judging its shard (issue 16)', async () => {
    // env-pool.test.ts shows the sharded batches are the questions of one server's order
    const runsDir = await mkdtemp(join(tmpdir(), 'fr-grpo-'));
    const servers = await Promise.all([
      startLoopbackServer(source, runsDir),
      startLoopbackServer(source, runsDir),
    ]);
    const cfg = config({
      runsDir,
      runId: 'two-servers',
      grpo: { maxSteps: 2 },
      env: { urls: servers.map((s) => s.wsUrl) },
    });
    const pooled = await connectEnv(cfg, { runDir: runsDir });
    try {
      const r = await run(cfg, { conn: pooled });
      await r.worker.shutdown();
      expect(stepsOf(r).map((s) => [s.step, s.scored])).toEqual([
        [1, 32],
        [2, 32],
      ]);
      const answered = servers.map((s) => s.host.episodeCounts().totals.answered);
      expect(answered).toEqual([32, 32]); // 2 steps x 4 of the 8 questions x 4 answers
    } finally {
      await pooled.close();
      await Promise.all(servers.map((s) => s.close()));
    }
  }, 120_000);

  it('raises the mean training reward by at least 0.10 over 30 seeded steps (first 10 vs last 10 steps)', async () => {
    const runsDir = await mkdtemp(join(tmpdir(), 'fr-grpo-'));
    const r = await run(config({ runsDir, runId: 'learn', grpo: { maxSteps: 30 } }));
    await r.worker.shutdown();
    const rewards = r.metrics.steps().map((s) => s.rewardMean);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(rewards.slice(0, 10));
    const last = mean(rewards.slice(-10));
    console.info(
      `training reward: first 10 steps ${first.toFixed(3)}, last 10 steps ${last.toFixed(3)}`,
    );
    expect(last - first).toBeGreaterThanOrEqual(0.1);
  }, 180_000);
});
