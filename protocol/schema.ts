/**
 * The one schema of the FactRecall protocol (`factrecall.v1`). Every message on either binding
 * is an envelope `{id, type, body}`; a response carries its request's `id` and either the same
 * `type` with the verb's response body, or `type: 'error'` with an {@link ErrorBody}.
 * `factrecall.proto` mirrors these shapes field by field (snake_case there, camelCase here);
 * docs/protocol.md documents each field.
 */
import { z } from 'zod';
import { DATASET_NAMES, SPLIT_NAMES } from '../env/types.ts';

export const PROTOCOL_VERSION = 'factrecall.v1';

export const VERBS = ['hello', 'list_envs', 'make', 'reset', 'step', 'close', 'stats'] as const;
export type Verb = (typeof VERBS)[number];

export const ROLES = ['policy', 'trainer', 'eval'] as const;
/** policy: questions and rewards; trainer: also gold on train; eval: test split, aggregate only. */
export type Role = (typeof ROLES)[number];

const count = z.number().int().min(0);
const handle = z.string().min(1).max(128);
const split = z.enum(SPLIT_NAMES);

/** Client-chosen request id, unique among the connection's requests in flight. */
export const RequestId = z.string().min(1).max(64);

export const Envelope = z.strictObject({
  id: RequestId,
  type: z.string().min(1).max(32),
  body: z.unknown(),
});
export type Envelope = z.infer<typeof Envelope>;

// ---- limits -----------------------------------------------------------------------------

export const Limits = z.strictObject({
  /** Largest frame (WebSocket) or message (gRPC) the server accepts, in bytes. */
  maxFrameBytes: z.number().int().min(1024),
  /** Episodes in one reset (batchSize x groupSize) or actions in one step. */
  maxBatchEpisodes: z.number().int().min(1),
  maxEnvsPerConnection: z.number().int().min(1),
  maxConnections: z.number().int().min(1),
  /** Requests in flight on one connection; beyond it: FR_ERR_PROTO_OVERLOADED. */
  maxInFlightPerConnection: z.number().int().min(1),
  /** Requests in flight on the whole server; beyond it: FR_ERR_PROTO_OVERLOADED. */
  maxInFlightTotal: z.number().int().min(1),
  /** A connection without a request for this long is closed, and its envs with it. */
  idleTimeoutMs: z.number().int().min(100),
  /** Bytes queued to a slow reader before the server stops reading its requests. */
  maxBufferedBytes: z.number().int().min(1024),
  /** Suggested wait in overload errors. */
  retryAfterMs: z.number().int().min(1),
});
export type Limits = z.infer<typeof Limits>;

// ---- request bodies -----------------------------------------------------------------------

export const HelloRequest = z.strictObject({
  version: z.string().max(64),
  token: z.string().max(512).optional(),
  /** Free text naming the client, for logs. */
  client: z.string().max(128).optional(),
  /**
   * The role wanted. With tokens it must be omitted or equal the token's role; a server
   * without tokens (loopback only) grants it, default `policy`.
   */
  role: z.enum(ROLES).optional(),
});
export const ListEnvsRequest = z.strictObject({});
export const MakeRequest = z.strictObject({
  envId: z.string().min(1).max(128),
  /** Env-specific options (dataset, judge, prompt, seed...), checked by the env registry. */
  options: z.record(z.string(), z.unknown()).optional(),
});
export const ResetRequest = z.strictObject({
  handle,
  split,
  batchSize: z.number().int(),
  groupSize: z.number().int(),
  /** trainer role, train split only: attach gold answers to each observation. */
  withGold: z.boolean().optional(),
});
export const ActionSchema = z.strictObject({
  episodeId: z.string().min(1).max(256),
  answer: z.string().max(65_536),
});
export const StepRequest = z.strictObject({ handle, actions: z.array(ActionSchema) });
export const CloseRequest = z.strictObject({ handle });
export const StatsRequest = z.strictObject({});

export const REQUEST_BODIES = {
  hello: HelloRequest,
  list_envs: ListEnvsRequest,
  make: MakeRequest,
  reset: ResetRequest,
  step: StepRequest,
  close: CloseRequest,
  stats: StatsRequest,
} as const satisfies Record<Verb, z.ZodType>;

export type RequestBody<V extends Verb> = z.infer<(typeof REQUEST_BODIES)[V]>;

// ---- response bodies ----------------------------------------------------------------------

export const HelloResponse = z.strictObject({
  version: z.literal(PROTOCOL_VERSION),
  role: z.enum(ROLES),
  /** Server-chosen id of this connection, for logs. */
  sessionId: z.string(),
  server: z.string(),
  limits: Limits,
});

export const EnvInfo = z.strictObject({ id: z.string(), description: z.string() });
export const ListEnvsResponse = z.strictObject({ envs: z.array(EnvInfo) });

export const EnvSpecSchema = z.strictObject({
  id: z.string(),
  version: z.number().int(),
  fingerprint: z.string(),
  dataset: z.enum(DATASET_NAMES),
  source: z.string(),
  sourceHash: z.string(),
  judgeId: z.string(),
  judgeFingerprint: z.string(),
  prompt: z.enum(['direct', 'cot']),
  promptVersion: z.number().int(),
  seed: count,
  rewardRange: z.tuple([z.number(), z.number()]),
  observationSpace: z.string(),
  actionSpace: z.string(),
  splits: z.partialRecord(split, count),
  limits: z.strictObject({
    maxAnswerChars: count,
    episodeTtlMs: count,
    maxResetEpisodes: count,
    maxStepActions: count,
  }),
});
export const MakeResponse = z.strictObject({ handle, spec: EnvSpecSchema });

export const ObservationSchema = z.strictObject({
  episodeId: z.string(),
  groupId: z.string(),
  index: count,
  questionId: z.string(),
  dataset: z.enum(DATASET_NAMES),
  split,
  question: z.string(),
  messages: z.array(
    z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }),
  ),
  prompt: z.enum(['direct', 'cot']),
  /** Present only for the trainer role on the train split when the reset asked withGold. */
  gold: z.array(z.string()).optional(),
});
export const ResetResponse = z.strictObject({
  observations: z.array(ObservationSchema),
  epoch: count,
  cursor: count,
  splitSize: count,
});

export const StepResultSchema = z.strictObject({
  episodeId: z.string(),
  groupId: z.string(),
  index: count,
  /** null: no verdict (judge failed, or withheld for the eval role). Never read as 0. */
  reward: z.union([z.literal(0), z.literal(1), z.null()]),
  verdict: z.enum(['correct', 'incorrect', 'not_attempted']).nullable(),
  /** `withheld`: eval role; the verdict is kept on the server and summed at close. */
  status: z.enum(['ok', 'judge_failed', 'withheld']),
  terminated: z.boolean(),
  truncated: z.boolean(),
  info: z.strictObject({
    questionId: z.string(),
    extracted: z.string(),
    judgeId: z.string(),
    cached: z.boolean(),
    latencyMs: z.number().min(0),
    error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
  }),
});
export const GroupStatsSchema = z.strictObject({
  groupId: z.string(),
  questionId: z.string(),
  size: count,
  answered: count,
  scored: count,
  meanReward: z.number().nullable(),
  complete: z.boolean(),
});
export const StepResponse = z.strictObject({
  results: z.array(StepResultSchema),
  /** Stats of each group touched; empty for the eval role. */
  groups: z.array(GroupStatsSchema),
});

/** How the episodes of one env (or split, or server) ended; `open` ones have not ended yet. */
export const EpisodeCounts = z.strictObject({
  issued: count,
  answered: count,
  expired: count,
  closed: count,
  open: count,
  /** Answered episodes the judge failed on (reward null). */
  judgeFailed: count,
  /** Answered episodes with a reward (answered - judgeFailed). */
  scored: count,
  /** Sum of rewards over scored episodes (= correct answers). */
  rewardSum: z.number().min(0),
  /** rewardSum / scored; null when nothing is scored. */
  meanReward: z.number().nullable(),
});
export type EpisodeCounts = z.infer<typeof EpisodeCounts>;

export const CloseResponse = z.strictObject({
  handle,
  /** How this env's episodes ended (all of them: closing ends the open ones). */
  counts: EpisodeCounts,
  fingerprint: z.string(),
  /** eval role: the id of the run recorded for the leaderboard. */
  evalRunId: z.string().optional(),
  /**
   * Runs over splits whose rewards are hidden (test for eval; val under valRewards
   * 'aggregate'): `score` is pass@k (k = 1: accuracy) of a complete run, else null.
   */
  runs: z
    .array(
      z.strictObject({
        split,
        k: count,
        questions: count,
        splitSize: count,
        complete: z.boolean(),
        score: z.number().nullable(),
      }),
    )
    .optional(),
});

export const StatsResponse = z.strictObject({
  connections: count,
  inFlight: count,
  openEnvs: count,
  /** Every episode the server issued since it started, closed envs included. */
  totals: EpisodeCounts,
  bySplit: z.partialRecord(split, EpisodeCounts),
  /** Requests answered with an error, by code. */
  errors: z.record(z.string(), count),
});

export const ErrorBody = z.strictObject({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
  retryAfterMs: z.number().int().min(0).optional(),
  /** gRPC status number (docs/errors.md names it). */
  grpcStatus: z.number().int(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const RESPONSE_BODIES = {
  hello: HelloResponse,
  list_envs: ListEnvsResponse,
  make: MakeResponse,
  reset: ResetResponse,
  step: StepResponse,
  close: CloseResponse,
  stats: StatsResponse,
} as const satisfies Record<Verb, z.ZodType>;

export type ResponseBody<V extends Verb> = z.infer<(typeof RESPONSE_BODIES)[V]>;
export type WireObservation = z.infer<typeof ObservationSchema>;
export type WireStepResult = z.infer<typeof StepResultSchema>;

/** A response envelope: the verb's body, or an error. */
export type ResponseEnvelope =
  | { id: string; type: Verb; body: unknown }
  | { id: string; type: 'error'; body: ErrorBody };

export function isVerb(t: string): t is Verb {
  return (VERBS as readonly string[]).includes(t);
}
