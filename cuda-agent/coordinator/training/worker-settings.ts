/**
 * What the worker needs from a run config: the RL optimizer and loss settings (sent with `init`,
 * or as `load` overrides when RL starts from a pretrained tiny checkpoint: a fresh optimizer, a
 * new run from those weights), and for the `hf` engine the `init` map of the whole model.
 */
import type { HfModelParams, InitParams } from '../worker-types.ts';
import type { TrainConfig } from './config.ts';

export interface RlSettings {
  optim: { lr: number; weight_decay: number; grad_clip: number };
  loss: { clip_eps: number; kl_coef: number; temperature: number };
}

export function rlSettings(cfg: TrainConfig): RlSettings {
  return {
    optim: { lr: cfg.grpo.lr, weight_decay: cfg.grpo.weightDecay, grad_clip: cfg.grpo.maxGradNorm },
    loss: {
      clip_eps: cfg.grpo.clipEps,
      kl_coef: cfg.grpo.klCoef,
      temperature: cfg.sampling.temperature,
    },
  };
}

/** `init` for the hf engine on the model at `path` (a directory, .gguf file or hub id). */
export function hfInitParams(cfg: TrainConfig, path: string): InitParams {
  const model: HfModelParams = {
    path,
    dtype: cfg.worker.dtype,
    gradient_checkpointing: cfg.worker.gradientCheckpointing,
  };
  return {
    engine: cfg.worker.engine === 'vllm' ? 'vllm' : 'hf',
    seed: cfg.seed,
    device: cfg.worker.device,
    threads: cfg.worker.threads,
    model,
    ...rlSettings(cfg),
  };
}
