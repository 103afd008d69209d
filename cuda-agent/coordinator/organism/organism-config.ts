/**
 * The FactWorld model organism: a world, a tiny GPT and a pretraining schedule chosen so that
 * the pretrained model holds facts it cannot reliably recall when asked, for a general reason
 * RL can fix. Biographies (the truth, six paraphrases per person) teach the facts of every
 * person; question-answer text exists only for the `qa` people, and 60% of its answers are the
 * attribute's popular value instead of the truth. The model thus learns the answer format and
 * a habit of answering the popular value, and RL on the `train` people can remove the habit
 * for held-out `val`/`test` people, whose facts sit in the weights from biographies alone.
 *
 * Sizes fit `npm start` on 2 CPU cores: cold (pretraining included) within 10 minutes, warm
 * within 3.
 */
import { z } from 'zod';
import { fingerprintOf } from '../../../lib/hash.ts';
import type { TrainConfigInput } from '../training/config.ts';
import { trainError } from '../training/errors.ts';

export const ModelArchSchema = z.strictObject({
  n_layer: z.number().int().min(1).default(2).describe('Transformer blocks.'),
  n_head: z.number().int().min(1).default(4).describe('Attention heads per block.'),
  n_embd: z.number().int().min(8).default(128).describe('Embedding width (a multiple of n_head).'),
  block_size: z
    .number()
    .int()
    .min(16)
    .default(64)
    .describe('Longest sequence in tokens (a biography fits).'),
});

export const PretrainScheduleSchema = z.strictObject({
  epochs: z.number().int().min(1).default(16).describe('Passes over the corpus.'),
  batchSize: z.number().int().min(1).default(32).describe('Windows per optimizer step.'),
  lr: z
    .number()
    .positive()
    .default(3e-3)
    .describe('Peak AdamW learning rate (warm-up, then cosine decay).'),
  seed: z.number().int().min(0).default(0).describe('Seed of the model init and the window order.'),
});

/**
 * The demo world: 200 people, with value pools of 200 (144 fields, the most FactWorld has), so
 * that a guesser of the right type is right rarely even with many tries: pass@1 1.3% and
 * pass@32 about 32%, against 2.5% and 50% with FactWorld's default pools of 60-80 values.
 */
export const DEMO_WORLD = {
  seed: 0,
  people: 200,
  poolSizes: { birth_city: 200, birth_year: 200, employer: 200, university: 200, field: 144 },
} as const;

export const OrganismConfigSchema = z.strictObject({
  world: z
    .record(z.string(), z.unknown())
    .default(DEMO_WORLD)
    .describe(
      'FactWorld config (env/datasets/factworld/config.ts); absent keys take FactWorld defaults.',
    ),
  model: ModelArchSchema.prefault({}),
  pretrain: PretrainScheduleSchema.prefault({}),
  threads: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe(
      'torch threads. 1 by default: on a busy 2-core machine 2 threads ran 10-20x slower than 1 for this model size.',
    ),
});

export type OrganismConfig = Readonly<z.output<typeof OrganismConfigSchema>>;
export type OrganismConfigInput = z.input<typeof OrganismConfigSchema>;

export function parseOrganismConfig(input: unknown): OrganismConfig {
  const parsed = OrganismConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `organism.${i.path.join('.')}: ${i.message}`);
    throw trainError('FR_ERR_TRAIN_CONFIG_INVALID', lines.join('; '));
  }
  return Object.freeze(parsed.data);
}

export { type RlSettings, rlSettings } from '../training/worker-settings.ts';

/**
 * Everything that determines the pretrained weights: the world, the architecture and the
 * schedule. RL settings are not in it (they arrive as `load` overrides). The thread count is
 * not either: it changes only the last bits of float sums.
 */
export function pretrainKey(cfg: OrganismConfig, worldFingerprint: string): string {
  return fingerprintOf({
    organism: 2,
    world: worldFingerprint,
    model: cfg.model,
    pretrain: cfg.pretrain,
  });
}

/**
 * The GRPO settings of the FactWorld demo. The paper's lr 1e-6 is for 7B models; this 0.5M
 * parameter model needs a far larger step. B = 32 questions x n = 5 answers; the other values
 * are the paper's (KL 0.001 k3, clip 0.2, T = 1.0, top-p 1.0, top-k off, 8 epochs).
 */
export const DEMO_TRAIN_PRESET: TrainConfigInput = {
  grpo: { lr: 5e-5, questionsPerBatch: 32, groupSize: 5, epochs: 8, microBatchSize: 160 },
  sampling: { maxNewTokens: 8 },
  eval: { everySteps: 25, splits: ['val', 'test'], passAtKSamples: 32, passAtKQuestions: 100 },
  checkpoint: { everySteps: 50, keepLast: 1 },
  worker: { threads: 1 },
};
