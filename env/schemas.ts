/**
 * The one schema module of the env contract: zod schemas of the env types (env/types.ts).
 * `checkEnv` checks any env, local or remote, against them, and the wire (protocol/schema.ts)
 * derives its bodies from them, adding only its envelope, verbs and size limits. Objects are
 * strict: an unknown key is an error on every side. The type assertions at the bottom fail
 * the type check when a schema and its interface drift apart.
 */
import { z } from 'zod';
import { VERDICT_LABELS } from '../judges/types.ts';
import { CHAT_ROLES } from '../lib/llm/chat.ts';
import {
  type Action,
  DATASET_NAMES,
  type EnvSpec,
  type EnvStats,
  type EpisodeCounts,
  type GroupStats,
  type Observation,
  type PromptName,
  type ResetOptions,
  type ResetResult,
  SPLIT_NAMES,
  STEP_STATUSES,
  type StepBatchResult,
  type StepResult,
} from './types.ts';

const count = z.number().int().min(0);
const id = z.string().min(1);

export const ChatMessageSchema = z.strictObject({
  role: z.enum(CHAT_ROLES),
  content: z.string(),
});

export const PromptNameSchema = z.enum(['direct', 'cot']);

export const ObservationSchema = z.strictObject({
  episodeId: id,
  groupId: id,
  index: count,
  questionId: id,
  dataset: z.enum(DATASET_NAMES),
  split: z.enum(SPLIT_NAMES),
  question: z.string().min(1),
  messages: z.array(ChatMessageSchema).min(1),
  prompt: PromptNameSchema,
  gold: z.array(z.string()).optional(),
});

export const ResetOptionsSchema = z.strictObject({
  split: z.enum(SPLIT_NAMES),
  batchSize: z.number().int().min(1),
  groupSize: z.number().int().min(1),
  questionIds: z.array(z.string().min(1)).optional(),
});

export const ResetResultSchema = z.strictObject({
  observations: z.array(ObservationSchema),
  epoch: count,
  cursor: count,
  splitSize: count,
});

export const ActionSchema = z.strictObject({ episodeId: z.string(), answer: z.string() });

export const StepResultSchema = z.strictObject({
  episodeId: id,
  groupId: id,
  index: count,
  reward: z.union([z.literal(0), z.literal(1), z.null()]),
  verdict: z.enum(VERDICT_LABELS).nullable(),
  status: z.enum(STEP_STATUSES),
  terminated: z.boolean(),
  truncated: z.boolean(),
  info: z.strictObject({
    questionId: id,
    extracted: z.string(),
    judgeId: z.string(),
    cached: z.boolean(),
    latencyMs: z.number().min(0),
    error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
  }),
});

export const GroupStatsSchema = z.strictObject({
  groupId: id,
  questionId: id,
  size: z.number().int().min(1),
  answered: count,
  scored: count,
  meanReward: z.number().min(0).max(1).nullable(),
  complete: z.boolean(),
});

export const StepBatchResultSchema = z.strictObject({
  results: z.array(StepResultSchema),
  groups: z.array(GroupStatsSchema),
});

const splitCounts = z.strictObject({ train: count, val: count, test: count }).partial();

export const EnvSpecSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z][A-Za-z0-9_.:-]*-v\d+$/),
  version: count,
  fingerprint: z.string().min(8),
  dataset: z.enum(DATASET_NAMES),
  source: z.string(),
  sourceHash: z.string().min(1),
  judgeId: z.string().min(1),
  judgeFingerprint: z.string().min(1),
  prompt: PromptNameSchema,
  promptVersion: count,
  seed: count,
  rewardRange: z.tuple([z.number(), z.number()]),
  observationSpace: z.string().min(1),
  actionSpace: z.string().min(1),
  splits: splitCounts,
  limits: z.strictObject({
    maxAnswerChars: z.number().int().min(1),
    episodeTtlMs: z.number().int().min(1),
    maxResetEpisodes: z.number().int().min(1),
    maxStepActions: z.number().int().min(1),
  }),
});

export const EpisodeCountsSchema = z.strictObject({
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
agree<Same<z.infer<typeof EpisodeCountsSchema>, EpisodeCounts>>();
agree<Same<z.infer<typeof PromptNameSchema>, PromptName>>();
