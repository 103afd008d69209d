/**
 * The OpenEnv wire, as meta-pytorch/OpenEnv's server speaks it (`openenv.core.env_server`):
 * JSON text frames `{type: "reset"|"step"|"state"|"close", data}` in, `{type: "observation",
 * data: {observation, reward, done}}`, `{type: "state", data}` or `{type: "error", data:
 * {message, code}}` out. Here: the shapes of FactRecall-v0's reset options, action,
 * observation and state on that wire, and their JSON schemas for `GET /schema`.
 */
import { z } from 'zod';
import { ROLES } from '../schema.ts';

/** OpenEnv's `WSErrorCode` values. */
export type OpenEnvErrorCode =
  | 'INVALID_JSON'
  | 'UNKNOWN_TYPE'
  | 'VALIDATION_ERROR'
  | 'EXECUTION_ERROR'
  | 'CAPACITY_REACHED'
  | 'SESSION_ERROR';

export const OpenEnvMessage = z.object({
  type: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});

/**
 * `reset` data. The first reset of a connection authenticates (`token`, `role`, as hello) and
 * makes the env (`seed`, `prompt`, `judge`); a later reset with other make options makes a new
 * env (the old one closes, its open episodes counted closed). Every reset issues one episode.
 */
export const ResetData = z.strictObject({
  token: z.string().max(512).optional(),
  role: z.enum(ROLES).optional(),
  envId: z.string().min(1).max(128).optional(),
  seed: z.number().int().min(0).optional(),
  prompt: z.enum(['direct', 'cot']).optional(),
  judge: z.string().min(1).max(64).optional(),
  /** Default: train (test for the eval role). */
  split: z.enum(['train', 'val', 'test']).optional(),
  /** trainer role, train or val: this question instead of the next one (reset.questionIds). */
  question_id: z.string().min(1).max(256).optional(),
  /** OpenEnv's generic reset argument; the server names its episodes, so it is ignored. */
  episode_id: z.string().max(256).optional(),
});
export type ResetData = z.infer<typeof ResetData>;

/** `step` data: the model's raw text (the env extracts the answer). */
export const ActionData = z.strictObject({
  answer: z.string().max(65_536),
  /** OpenEnv's Action base field; carried, not used. */
  metadata: z.record(z.string(), z.unknown()).optional(),
});

const message = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });

export const ObservationData = z.object({
  episode_id: z.string(),
  question_id: z.string(),
  split: z.enum(['train', 'val', 'test']),
  dataset: z.string(),
  question: z.string(),
  messages: z.array(message).describe('send these to the model'),
  prompt: z.enum(['direct', 'cot']),
  fingerprint: z.string(),
  /** After a step: */
  verdict: z.enum(['correct', 'incorrect', 'not_attempted']).nullable().optional(),
  status: z.enum(['ok', 'judge_failed', 'withheld']).optional(),
  extracted: z.string().optional(),
  judge_id: z.string().optional(),
  cached: z.boolean().optional(),
  truncated: z.boolean().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type ObservationData = z.infer<typeof ObservationData>;

/** `state` data: where the connection stands. Never gold answers. */
export const StateData = z.object({
  episode_id: z.string().nullable(),
  step_count: z.number().int(),
  question_id: z.string().nullable(),
  split: z.enum(['train', 'val', 'test']).nullable(),
  role: z.enum(ROLES).nullable(),
  env_id: z.string().nullable(),
  fingerprint: z.string().nullable(),
  episodes: z.object({ issued: z.number().int(), answered: z.number().int() }),
});
export type StateData = z.infer<typeof StateData>;

/** `GET /schema`, as OpenEnv's SchemaResponse: JSON schemas of action, observation, state. */
export function openEnvSchemas() {
  const json = (s: z.ZodType) => z.toJSONSchema(s, { unrepresentable: 'any' });
  return {
    action: json(ActionData),
    observation: json(ObservationData),
    state: json(StateData),
    reset: json(ResetData),
  };
}
