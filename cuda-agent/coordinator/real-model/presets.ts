/**
 * Presets for real-model runs (`factrecall train --model ...`). Both sit under a config file
 * and `--set` overrides.
 *
 * - `paper`: the method's defaults (training/config.ts: lr 1e-6, 128 questions x 5 answers,
 *   8 epochs, KL 0.001, clip 0.2, T 1, top-p 1), for GPU machines and 7-8B models.
 * - `cpu`: a run sized for a 2-core CPU shared by several jobs (the machine the committed
 *   experiment ran on, where SmolLM2-135M, niced, got a fraction of a core: about 0.05 s per
 *   token forward in batches): 6 questions x 5 answers per step, 5 steps, 16 new tokens,
 *   greedy evaluation on the first 40 val and 40 test questions, pass@k from n = 32 on 8 val
 *   questions, a checkpoint at the end only. lr 5e-5: with 5 steps the paper's 1e-6 (for 7-8B
 *   models and thousands of steps) would not move a 135M model at all; the KL term and the
 *   gradient clip still bound each step. One torch thread: on a shared machine a second one
 *   mostly waits. On an idle machine scale it up with --set (e.g. grpo.maxSteps=40
 *   eval.maxQuestions=200).
 */
import type { TrainConfigInput } from '../training/config.ts';

export const HF_PRESETS: Readonly<Record<'paper' | 'cpu', TrainConfigInput>> = {
  paper: { worker: { engine: 'hf' }, eval: { passAtKSamples: 32 } },
  cpu: {
    grpo: {
      lr: 5e-5,
      questionsPerBatch: 6,
      groupSize: 5,
      epochs: 1,
      maxSteps: 5,
      microBatchSize: 30,
    },
    sampling: { maxNewTokens: 16 },
    eval: {
      everySteps: 0,
      splits: ['val'],
      maxQuestions: 40,
      passAtKSamples: 32,
      passAtKQuestions: 8,
    },
    checkpoint: { everySteps: 0, keepLast: 1 },
    calls: { workerDeadlineMs: 3_600_000, envDeadlineMs: 600_000 },
    worker: { engine: 'hf', threads: 1, device: 'auto' },
  },
};

export type HfPresetName = keyof typeof HF_PRESETS;
