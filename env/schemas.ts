/**
 * zod schemas of the env types (env/types.ts). `checkEnv` checks any env, local or remote,
 * against them; the protocol may reuse them. The type assertions at the bottom fail the type
 * check when a schema and its interface drift apart.
 */
import { z } from 'zod';
import {
  type Action,
  DATASET_NAMES,
  type EnvSpec,
  type EnvStats,
  type GroupStats,
  type Observation,
  type ResetOptions,
  type ResetResult,
  SPLIT_NAMES,
  type StepBatchResult,
  type StepResult,
} from './types.ts';

const count = z.number().int().min(0);
const id = z.string().min(1);

export const ChatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

export const ObservationSchema = z.object({
  episodeId: id,
  groupId: id,
  index: count,
  questionId: id,
  dataset: z.enum(DATASET_NAMES),
  split: z.enum(SPLIT_NAMES),
  question: z.string().min(1),
  messages: z.array(ChatMessageSchema).min(1),
  prompt: z.enum(['direct', 'cot']),
});

export const ResetOptionsSchema = z.strictObject({
  split: z.enum(SPLIT_NAMES),
  batchSize: z.number().int().min(1),
  groupSize: z.number().int().min(1),
  questionIds: z.array(z.string().min(1)).optional(),
});

export const ResetResultSchema = z.object({
  observations: z.array(ObservationSchema),
  epoch: count,
  cursor: count,
  splitSize: count,
});

export const ActionSchema = z.object({ episodeId: z.string(), answer: z.string() });

export const StepResultSchema = z.object({
  episodeId: id,
  groupId: id,
  index: count,
  reward: z.union([z.literal(0), z.literal(1), z.null()]),
  verdict: z.enum(['correct', 'incorrect', 'not_attempted']).nullable(),
  status: z.enum(['ok', 'judge_failed']),
  terminated: z.boolean(),
  truncated: z.boolean(),
  info: z.object({
    questionId: id,
    extracted: z.string(),
    judgeId: z.string(),
    cached: z.boolean(),
    latencyMs: z.number().min(0),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
});

export const GroupStatsSchema = z.object({
  groupId: id,
  questionId: id,
  size: z.number().int().min(1),
  answered: count,
  scored: count,
  meanReward: z.number().min(0).max(1).nullable(),
  complete: z.boolean(),
});

export const StepBatchResultSchema = z.object({
  results: z.array(StepResultSchema),
  groups: z.array(GroupStatsSchema),
});

const splitCounts = z.object({ train: count, val: count, test: count }).partial();

export const EnvSpecSchema = z.object({
  id: z.string().regex(/^[A-Za-z][A-Za-z0-9_.:-]*-v\d+$/),
  version: count,
  fingerprint: z.string().min(8),
  dataset: z.enum(DATASET_NAMES),
  source: z.string(),
  sourceHash: z.string().min(1),
  judgeId: z.string().min(1),
  judgeFingerprint: z.string().min(1),
  prompt: z.enum(['direct', 'cot']),
  promptVersion: count,
  seed: count,
  rewardRange: z.tuple([z.number(), z.number()]),
  observationSpace: z.string().min(1),
  actionSpace: z.string().min(1),
  splits: splitCounts,
  limits: z.object({
    maxAnswerChars: z.number().int().min(1),
    episodeTtlMs: z.number().int().min(1),
    maxResetEpisodes: z.number().int().min(1),
    maxStepActions: z.number().int().min(1),
  }),
});

export const EpisodeCountsSchema = z.object({
  issued: count,
  open: count,
  answered: count,
  expired: count,
  closed: count,
  judgeFailed: count,
  scored: count,
  rewardSum: z.number().min(0),
  meanReward: z.number().min(0).max(1).nullable(),
});

export const EnvStatsSchema = EpisodeCountsSchema.extend({
  fingerprint: z.string(),
  groups: count,
  perSplit: z
    .object({ train: EpisodeCountsSchema, val: EpisodeCountsSchema, test: EpisodeCountsSchema })
    .partial(),
});

// Compile-time agreement between schemas and interfaces (both directions).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function agree<T extends true>(): T | undefined {
  return undefined;
}
agree<Same<z.infer<typeof ObservationSchema>, Observation>>();
agree<Same<z.infer<typeof ResetOptionsSchema>, ResetOptions>>();
agree<Same<z.infer<typeof ResetResultSchema>, ResetResult>>();
agree<Same<z.infer<typeof ActionSchema>, Action>>();
agree<Same<z.infer<typeof StepResultSchema>, StepResult>>();
agree<Same<z.infer<typeof GroupStatsSchema>, GroupStats>>();
agree<Same<z.infer<typeof StepBatchResultSchema>, StepBatchResult>>();
agree<Same<z.infer<typeof EnvSpecSchema>, EnvSpec>>();
agree<Same<z.infer<typeof EnvStatsSchema>, EnvStats>>();
