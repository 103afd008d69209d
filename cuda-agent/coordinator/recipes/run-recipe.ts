/**
 * One recipe by name, from the policy a worker holds: GRPO through the unchanged trainer (so
 * its numbers are a `train` run's), SFT/RFT/DPO through recipes.ts with the run's sampling.
 * The FactWorld comparison (organism/compare-run.ts) and the real-model one
 * (real-model/hf-compare.ts) both train through here.
 */
import { join } from 'node:path';
import type { TrainConfig } from '../training/config.ts';
import type { EnvConnections } from '../training/env-connection.ts';
import { train } from '../training/trainer.ts';
import type { WorkerClient } from '../worker-client.ts';
import { grpoBudget, type RecipeResult } from './budget.ts';
import type { RecipeName, RecipesConfig } from './recipe-config.ts';
import { type RecipeContext, runDpo, runRft, runSft } from './recipes.ts';

/** The run config a recipe's worker starts with: the recipe's learning rate for the optimizer. */
export function recipeTrainConfig(
  name: RecipeName,
  cfg: TrainConfig,
  rc: RecipesConfig,
): TrainConfig {
  return name === 'grpo' ? cfg : { ...cfg, grpo: { ...cfg.grpo, lr: rc[name].lr } };
}

export async function trainRecipe(
  name: RecipeName,
  cfg: TrainConfig,
  rc: RecipesConfig,
  conn: EnvConnections,
  worker: WorkerClient,
  io: {
    /** GRPO writes its run (metrics, checkpoints) into `<runDir>/grpo`. */
    runDir: string;
    log: (l: string) => void;
    /** GRPO's log lines (default: all of them to `log`). */
    grpoLog?: (l: string) => void;
    sampleRound?: RecipeContext['sampleRound'];
  },
): Promise<RecipeResult & { worker?: WorkerClient }> {
  if (name === 'grpo') {
    const t = await train({
      config: cfg,
      runDir: join(io.runDir, 'grpo'),
      conn,
      startWorker: async () => worker,
      log: io.grpoLog ?? io.log,
    });
    return {
      worker: t.worker,
      recipe: 'grpo',
      budget: grpoBudget(t.metrics.steps(), cfg.grpo.innerEpochs),
      steps: [],
      rounds: [],
    };
  }
  const ctx: RecipeContext = {
    conn,
    worker,
    sampling: {
      temperature: cfg.sampling.temperature,
      top_p: cfg.sampling.topP,
      top_k: cfg.sampling.topK,
      max_new_tokens: cfg.sampling.maxNewTokens,
    },
    seed: cfg.seed,
    log: io.log,
    timeoutMs: cfg.calls.workerDeadlineMs,
    ...(io.sampleRound ? { sampleRound: io.sampleRound } : {}),
  };
  if (name === 'sft') return runSft(ctx, rc.sft);
  if (name === 'rft') return runRft(ctx, rc.rft);
  return runDpo(ctx, rc.dpo);
}
