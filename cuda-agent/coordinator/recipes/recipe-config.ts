/**
 * The comparison recipes beside GRPO (issue 15), each a named recipe with documented defaults,
 * run on the same train split through the same env and judge, from the same starting model:
 *
 * - `sft`: supervised fine-tuning on the gold answers (trainer role, train split only; the env
 *   hands gold answers to no one else). The default schedule sees as many questions in as many
 *   gradient steps as the FactWorld GRPO demo (8 epochs of 32-question batches).
 * - `rft`: rejection-sampling fine-tuning: each round samples n answers per train question
 *   from the current policy, keeps the judged-correct ones (distinct per question) and runs
 *   SFT on them; rounds repeat. 8 rounds x 5 samples draw about as many samples as GRPO.
 * - `dpo`: direct preference optimisation on pairs (a judged-correct and a judged-incorrect
 *   sample of the same question) against the frozen reference (the starting model). Pairs
 *   are drawn like RFT's samples, one round per pass over the train split; `rounds: 1` is
 *   offline DPO on the starting model's samples, the default 8 rounds is iterative DPO with the
 *   same sample budget as GRPO. beta 0.1: the value of the DPO paper (Rafailov et al. 2023) and
 *   TRL's default; it sets how far the policy's log-ratio to the reference may move.
 *
 * lr 5e-5 everywhere: the FactWorld GRPO demo's (the paper's 1e-6 is for 7B models).
 *
 * `questions` cuts every pass (SFT epoch, RFT/DPO round) to the next that many train questions
 * in the env's order (a pure function of the env seed), so a recipe can see exactly the
 * questions a GRPO run of `maxSteps` x B saw (its first maxSteps * B); later passes walk on.
 */
import { z } from 'zod';
import { trainError } from '../training/errors.ts';

export const RECIPES = ['grpo', 'sft', 'rft', 'dpo'] as const;
export type RecipeName = (typeof RECIPES)[number];

const lr = z.number().positive().default(5e-5).describe('AdamW learning rate.');
const questions = z
  .number()
  .int()
  .positive()
  .optional()
  .describe('Train questions per pass (epoch or round), the next in env order; default all.');
const microBatch = z
  .number()
  .int()
  .positive()
  .default(64)
  .describe('Rows per forward/backward (the gradient is the same for any value).');

export const SftConfigSchema = z.strictObject({
  lr,
  epochs: z.number().int().positive().default(8).describe('Passes over the train split.'),
  questions,
  questionsPerBatch: z
    .number()
    .int()
    .positive()
    .default(32)
    .describe('Gold answers per gradient step (one step per reset of this many questions).'),
  microBatchSize: microBatch,
});

export const RftConfigSchema = z.strictObject({
  lr,
  rounds: z
    .number()
    .int()
    .positive()
    .default(8)
    .describe('Sample-filter-train rounds; each samples the whole train split once.'),
  questions,
  samplesPerQuestion: z
    .number()
    .int()
    .positive()
    .default(5)
    .describe('Answers sampled per question and round (T = the run temperature).'),
  epochsPerRound: z
    .number()
    .int()
    .positive()
    .default(1)
    .describe("Passes over the round's kept answers."),
  batchSize: z.number().int().positive().default(32).describe('Kept answers per gradient step.'),
  questionsPerReset: z
    .number()
    .int()
    .positive()
    .default(32)
    .describe('Questions per env reset while sampling.'),
  microBatchSize: microBatch,
});

export const DpoConfigSchema = z.strictObject({
  lr,
  beta: z
    .number()
    .positive()
    .default(0.1)
    .describe('DPO beta: the implicit KL strength to the frozen reference.'),
  rounds: z
    .number()
    .int()
    .positive()
    .default(8)
    .describe('Sample-pair-train rounds (1 = offline DPO on the starting model).'),
  questions,
  samplesPerQuestion: z.number().int().min(2).default(5).describe('Answers sampled per question.'),
  pairsPerQuestion: z
    .number()
    .int()
    .positive()
    .default(2)
    .describe('At most this many (correct, incorrect) pairs per question and round.'),
  epochsPerRound: z.number().int().positive().default(1).describe("Passes over the round's pairs."),
  batchSize: z.number().int().positive().default(32).describe('Pairs per gradient step.'),
  questionsPerReset: z
    .number()
    .int()
    .positive()
    .default(32)
    .describe('Questions per env reset while sampling.'),
  microBatchSize: microBatch,
});

export const RecipesConfigSchema = z.strictObject({
  sft: SftConfigSchema.prefault({}),
  rft: RftConfigSchema.prefault({}),
  dpo: DpoConfigSchema.prefault({}),
});

export type SftConfig = Readonly<z.output<typeof SftConfigSchema>>;
export type RftConfig = Readonly<z.output<typeof RftConfigSchema>>;
export type DpoConfig = Readonly<z.output<typeof DpoConfigSchema>>;
export type RecipesConfig = Readonly<z.output<typeof RecipesConfigSchema>>;

export function parseRecipesConfig(input: unknown): RecipesConfig {
  const parsed = RecipesConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `recipes.${i.path.join('.')}: ${i.message}`);
    throw trainError('FR_ERR_TRAIN_CONFIG_INVALID', lines.join('; '));
  }
  return Object.freeze(parsed.data);
}

/** Recipe names from a comma list; unknown names are FR_ERR_TRAIN_RECIPE_UNKNOWN. */
export function parseRecipeList(list: string): RecipeName[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names)
    if (!(RECIPES as readonly string[]).includes(n))
      throw trainError(
        'FR_ERR_TRAIN_RECIPE_UNKNOWN',
        `recipe \`${n}\`; the recipes are ${RECIPES.join(', ')}`,
      );
  if (names.length === 0)
    throw trainError(
      'FR_ERR_TRAIN_RECIPE_UNKNOWN',
      `no recipe named; pick from ${RECIPES.join(', ')}`,
    );
  return [...new Set(names)] as RecipeName[];
}
