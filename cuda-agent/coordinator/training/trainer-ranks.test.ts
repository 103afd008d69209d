/**
 * The GRPO loop (`train`, what `factrecall train` and the FactWorld run call) driving a worker
 * of 2 data-parallel ranks under torchrun (gloo on CPU), as DDP and as FSDP (issue 16). Sampled
 * answers depend on the rank count (each rank samples with its own generator), so "the same
 * data" is the 2-rank run's own batches: every train_step it sent is replayed into a 1-rank
 * worker started the same way, and each step's loss and grad norm, then the final weights (the
 * log-probs of fixed completions), must agree within float32 rounding.
 * Needs a Python with torch; skipped otherwise, the reason in the title.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld, worldSplitSource } from '../../../env/datasets/factworld/index.ts';
import { pythonWithTorch } from '../../../test/support/python-with-torch.ts';
import { TEST_TRAIN, testCacheDir, testOrganism } from '../../../test/support/test-organism.ts';
import { startRlWorker } from '../organism/factworld-run.ts';
import { ensurePretrained, type PretrainedModel } from '../organism/pretrain.ts';
import type { WorkerClient } from '../worker-client.ts';
import type { TrainStepParams, TrainStepResult } from '../worker-types.ts';
import { deepMerge, parseTrainConfig, type TrainConfig } from './config.ts';
import { connectEnv, type EnvConnections } from './env-connection.ts';
import { train } from './trainer.ts';

const { python, skipWhy } = await pythonWithTorch();

const organism = testOrganism();
const world = generateWorld(organism.world);
const source = worldSplitSource(world);
const config = (over: Record<string, unknown>): TrainConfig =>
  parseTrainConfig(deepMerge(TEST_TRAIN as Record<string, unknown>, over));

/** Greedy answers to 4 validation questions, then their log-probs: a fingerprint of the weights. */
async function probe(w: WorkerClient, rows?: { prompts: number[][]; completions: number[][] }) {
  let fixed = rows;
  if (!fixed) {
    const prompts = source.splits.val!.slice(0, 4).map((q) => `Q: ${q.question} A:`);
    const g = await w.generate({ prompts, greedy: true, max_new_tokens: 6 });
    fixed = {
      prompts: g.results.map((x) => x.prompt_ids),
      completions: g.results.map((x) => x.samples[0]!.token_ids),
    };
  }
  const r = await w.logprobs({ ...fixed, reference: false });
  return { rows: fixed, logprobs: r.policy.flat() };
}

describe.skipIf(!python)(
  `the GRPO loop on a worker of 2 gloo ranks (issue 16)${skipWhy ? ` (skipped: ${skipWhy})` : ''}`,
  () => {
    let model: PretrainedModel;
    let conn: EnvConnections;
    let previousCache: string | undefined;

    beforeAll(async () => {
      previousCache = process.env.FACTRECALL_CACHE;
      process.env.FACTRECALL_CACHE = testCacheDir();
      model = await ensurePretrained(organism, { world, quiet: true, python: python! });
      conn = await connectEnv(config({}), {
        source,
        runDir: await mkdtemp(join(tmpdir(), 'fr-ranks-env-')),
      });
    }, 240_000);

    afterAll(async () => {
      await conn?.close();
      if (previousCache === undefined) delete process.env.FACTRECALL_CACHE;
      else process.env.FACTRECALL_CACHE = previousCache;
    });

    it.each(['ddp', 'fsdp'] as const)(
      'trains under %s to the losses and weights one process reaches on the same batches',
      async (parallel) => {
        const runsDir = await mkdtemp(join(tmpdir(), 'fr-ranks-'));
        const cfg = config({
          runsDir,
          runId: parallel,
          grpo: { maxSteps: 3 },
          worker: { python: python!, ranks: 2, parallel },
        });
        const sent: { params: TrainStepParams; result: TrainStepResult }[] = [];
        const r = await train({
          config: cfg,
          runDir: join(runsDir, parallel),
          conn,
          log: () => {},
          startWorker: async () => {
            const w = await startRlWorker(cfg, model.path);
            const trainStep = w.trainStep.bind(w);
            w.trainStep = async (params, opts) => {
              const result = await trainStep(params, opts);
              sent.push({ params, result });
              return result;
            };
            return w;
          },
        });
        expect(r.worker.info.world_size).toBe(2);
        expect(r.worker.info.parallel).toBe(parallel);
        const dp = await probe(r.worker);
        await r.worker.shutdown();

        const one = await startRlWorker(
          config({ worker: { python: python!, ranks: 1 } }),
          model.path,
        );
        try {
          expect(one.info.world_size).toBeUndefined();
          expect(sent.filter((s) => !s.result.skipped).length).toBeGreaterThan(0);
          for (const { params, result } of sent) {
            const mine = await one.trainStep(params);
            expect([mine.samples, mine.tokens, mine.step]).toEqual([
              result.samples,
              result.tokens,
              result.step,
            ]);
            expect(Math.abs(mine.loss - result.loss)).toBeLessThan(1e-5);
            expect(Math.abs(mine.grad_norm - result.grad_norm)).toBeLessThan(1e-5);
          }
          const single = await probe(one, dp.rows);
          const gap = Math.max(...single.logprobs.map((x, i) => Math.abs(x - dp.logprobs[i]!)));
          console.log(
            `${parallel}: max |logprob 1 rank - 2 ranks| after ${sent.length} steps: ${gap.toExponential(2)}`,
          );
          expect(gap).toBeLessThan(1e-4);
        } finally {
          await one.shutdown();
        }
      },
      300_000,
    );
  },
);
