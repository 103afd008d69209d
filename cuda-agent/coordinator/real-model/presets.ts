/**
 * Presets for real-model runs (`factrecall train --model ...`). Both sit under a config file
 * and `--set` overrides.
 *
 * - `paper`: the method's defaults (training/config.ts: lr 1e-6, 128 questions x 5 answers,
 *   8 epochs, KL 0.001, clip 0.2, T 1, top-p 1), for GPU machines and 7-8B models.
 * - `cpu`: a run that fits a shared 2-core CPU in about an hour with SmolLM2-135M: 8 questions
 *   x 5 answers per step, 12 steps, 24 new tokens (SmolLM2 answers in a sentence; 16 cuts
 *   some short), greedy evaluation on the first 100 val and 100 test questions, pass@k from
 *   n = 32 on 16 val questions. lr 1e-5: with a dozen steps the paper's 1e-6 (for 7-8B models
 *   and thousands of steps) would barely move a 135M model; the clip and the KL still bound
 *   each step. One torch thread: on a machine shared by several jobs a second thread mostly
 *   waits.
 */
import type { TrainConfigInput } from '../training/config.ts';

export const HF_PRESETS: Readonly<Record<'paper' | 'cpu', TrainConfigInput>> = {
  paper: { worker: { engine: 'hf' }, eval: { passAtKSamples: 32 } },
  cpu: {
    grpo: {
      lr: 1e-5,
      questionsPerBatch: 8,
      groupSize: 5,
      epochs: 1,
      maxSteps: 12,
      microBatchSize: 8,
    },
    sampling: { maxNewTokens: 24 },
    eval: {
      everySteps: 0,
      splits: ['val'],
      maxQuestions: 100,
      passAtKSamples: 32,
      passAtKQuestions: 16,
    },
    checkpoint: { everySteps: 6, keepLast: 1 },
    calls: { workerDeadlineMs: 3_600_000, envDeadlineMs: 600_000 },
    worker: { engine: 'hf', threads: 1, device: 'auto' },
  },
};

export type HfPresetName = keyof typeof HF_PRESETS;
