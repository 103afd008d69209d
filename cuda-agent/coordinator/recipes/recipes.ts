/**
 * The SFT, RFT and DPO loops (recipe-config.ts says what each does and why its defaults).
 * Like GRPO they reach the questions only through the env (SFT as the `trainer` role, which
 * alone may read gold answers, and only on the train split; RFT and DPO as `policy`, judged by
 * the env's judge) and train the worker's policy with its learner (`sft_step`, `dpo_step`).
 * Each returns its budget (budget.ts) and one metrics row per optimizer step.
 */
import { Rng, seedFrom } from '../../../lib/rng.ts';
import type { EnvConnections } from '../training/env-connection.ts';
import { promptOf, type RolloutGroup } from '../training/rollout.ts';
import type { WorkerClient } from '../worker-client.ts';
import { type Budget, emptyBudget, type RecipeResult, type RecipeStepRow } from './budget.ts';
import { keptCorrect, preferencePairs, type Sampling, sampleTrainSplit } from './collect.ts';
import type { DpoConfig, RftConfig, SftConfig } from './recipe-config.ts';

export interface RecipeContext {
  conn: EnvConnections;
  worker: WorkerClient;
  /** Sampling for RFT and DPO rounds (the run's temperature, top-p, top-k, answer length). */
  sampling: Sampling;
  seed: number;
  log: (line: string) => void;
  /** Per worker call. */
  timeoutMs?: number;
  /**
   * How round `round` of RFT/DPO gets its samples: `draw()` samples the policy through the env.
   * Default: draw. A comparison may hand round 1 (the starting model's samples, the same for
   * every recipe that starts from that model) to several recipes from one draw.
   */
  sampleRound?: (round: number, draw: () => Promise<RolloutGroup[]>) => Promise<RolloutGroup[]>;
}

/** Questions per pass: the split, or `limit` of it. */
function passSize(split: number, limit: number | undefined): number {
  return limit === undefined ? split : Math.min(split, limit);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** SFT on gold answers: `epochs` passes over the train split, one step per reset. */
export async function runSft(ctx: RecipeContext, cfg: SftConfig): Promise<RecipeResult> {
  const env = await ctx.conn.make('trainer');
  const budget: Budget = emptyBudget();
  const steps: RecipeStepRow[] = [];
  try {
    const size = passSize(env.spec().splits.train ?? 0, cfg.questions);
    const total = Math.ceil(size / cfg.questionsPerBatch) * cfg.epochs;
    for (let s = 0; s < total; s++) {
      const inPass = (s % Math.ceil(size / cfg.questionsPerBatch)) * cfg.questionsPerBatch;
      const r = await env.reset({
        split: 'train',
        batchSize: Math.min(cfg.questionsPerBatch, size - inPass),
        groupSize: 1,
        withGold: true,
      });
      const obs = r.observations.filter((o) => o.gold && o.gold.length > 0);
      const res = await ctx.worker.sftStep(
        {
          prompts: obs.map(promptOf),
          completions: obs.map((o) => o.gold![0]!),
          append_eos: true,
          micro_batch_size: cfg.microBatchSize,
        },
        ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : undefined,
      );
      // The episodes are closed by answering the gold answer; their rewards are not used.
      await env.step(
        r.observations.map((o) => ({ episodeId: o.episodeId, answer: o.gold?.[0] ?? '' })),
      );
      budget.questionsSeen += r.observations.length;
      if (!res.skipped) budget.gradientSteps++;
      steps.push({
        recipe: 'sft',
        round: r.epoch,
        step: s + 1,
        rows: obs.length,
        loss: res.loss,
        gradNorm: res.grad_norm,
      });
      if ((s + 1) % 25 === 0 || s + 1 === total)
        ctx.log(`sft step ${s + 1}/${total}: loss ${res.loss.toFixed(3)}`);
    }
  } finally {
    await env.close().catch(() => undefined);
  }
  return { recipe: 'sft', budget, steps, rounds: [] };
}

type Round<T> = (groups: Awaited<ReturnType<typeof sampleTrainSplit>>) => T[];

/** The loop RFT and DPO share: sample the train split, pick rows, train on them in batches. */
async function roundsOf<T>(
  ctx: RecipeContext,
  name: 'rft' | 'dpo',
  cfg: {
    rounds: number;
    samplesPerQuestion: number;
    questionsPerReset: number;
    batchSize: number;
    epochsPerRound?: number;
    questions?: number | undefined;
  },
  pick: Round<T>,
  trainOn: (
    rows: T[],
  ) => Promise<{ loss: number; grad_norm: number; skipped: boolean; pair_accuracy?: number }>,
): Promise<RecipeResult> {
  const env = await ctx.conn.make('policy');
  const budget = emptyBudget();
  const steps: RecipeStepRow[] = [];
  const rounds: RecipeResult['rounds'] = [];
  const rng = new Rng(seedFrom(`${name}-batches`, ctx.seed));
  const generate = (p: Parameters<WorkerClient['generate']>[0]) =>
    ctx.worker.generate(p, ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : undefined);
  try {
    const size = passSize(env.spec().splits.train ?? 0, cfg.questions);
    for (let round = 1; round <= cfg.rounds; round++) {
      const draw = () =>
        sampleTrainSplit(env, generate, {
          splitSize: size,
          samples: cfg.samplesPerQuestion,
          questionsPerReset: cfg.questionsPerReset,
          sampling: ctx.sampling,
        });
      const groups = await (ctx.sampleRound ? ctx.sampleRound(round, draw) : draw());
      budget.questionsSeen += groups.length;
      budget.samplesDrawn += groups.length * cfg.samplesPerQuestion;
      const rows = pick(groups);
      rounds.push({ round, samples: groups.length * cfg.samplesPerQuestion, kept: rows.length });
      for (let e = 0; e < (cfg.epochsPerRound ?? 1); e++) {
        for (const batch of chunks(rng.shuffle([...rows]), cfg.batchSize)) {
          const res = await trainOn(batch);
          if (!res.skipped) budget.gradientSteps++;
          steps.push({
            recipe: name,
            round,
            step: steps.length + 1,
            rows: batch.length,
            loss: res.loss,
            gradNorm: res.grad_norm,
            ...(res.pair_accuracy !== undefined ? { pairAccuracy: res.pair_accuracy } : {}),
          });
        }
      }
      ctx.log(
        `${name} round ${round}/${cfg.rounds}: ${rows.length} ${name === 'dpo' ? 'pairs' : 'kept answers'} from ${groups.length * cfg.samplesPerQuestion} samples; ${budget.gradientSteps} steps so far`,
      );
    }
  } finally {
    await env.close().catch(() => undefined);
  }
  return { recipe: name, budget, steps, rounds };
}

/** RFT: per round, n samples per train question, SFT on the distinct judged-correct ones. */
export function runRft(ctx: RecipeContext, cfg: RftConfig): Promise<RecipeResult> {
  return roundsOf(ctx, 'rft', cfg, keptCorrect, (rows) =>
    ctx.worker.sftStep(
      {
        prompts: rows.map((r) => r.promptIds),
        completions: rows.map((r) => r.tokenIds),
        micro_batch_size: cfg.microBatchSize,
      },
      ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : undefined,
    ),
  );
}

/** DPO: per round, (correct, incorrect) pairs of the same question against the frozen reference. */
export function runDpo(ctx: RecipeContext, cfg: DpoConfig): Promise<RecipeResult> {
  return roundsOf(
    ctx,
    'dpo',
    cfg,
    (groups) => preferencePairs(groups, cfg.pairsPerQuestion),
    (rows) =>
      ctx.worker.dpoStep(
        {
          prompts: rows.map((r) => r.promptIds),
          chosen: rows.map((r) => r.chosen),
          rejected: rows.map((r) => r.rejected),
          beta: cfg.beta,
          micro_batch_size: cfg.microBatchSize,
        },
        ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : undefined,
      ),
  );
}
