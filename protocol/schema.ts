/**
 * The one schema of the FactRecall protocol (`factrecall.v1`). Every message on either binding
 * is an envelope `{id, type, body}`; a response carries its request's `id` and either the same
 * `type` with the verb's response body, or `type: 'error'` with an {@link ErrorBody}.
 * `factrecall.proto` mirrors these shapes field by field (snake_case there, camelCase here);
 * docs/protocol.md documents each field.
 *
 * The bodies that carry env data (spec, observations, step results, episode counts) are the
 * env contract's own schemas (env/schemas.ts); this module adds only the envelope, the verbs,
 * the limits and the wire's size caps.
 */
import { z } from 'zod';
import {
  ActionSchema,
  EnvSpecSchema,
  EpisodeCountsSchema,
  ResetResultSchema,
  StepBatchResultSchema,
} from '../env/schemas.ts';
import { SPLIT_NAMES } from '../env/types.ts';

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
  /**
   * trainer role, train or val split: issue these questions (one group of `groupSize` each, in
   * this order, repeats allowed; length = batchSize) instead of the next ones of the seeded
   * order, for trainers that choose their own prompts (TRL, verl). Counted like any episode.
   */
  questionIds: z.array(z.string().min(1).max(256)).min(1).optional(),
});
/** The env's action with the wire's size limits. */
export const WireAction = ActionSchema.extend({
  episodeId: z.string().min(1).max(256),
  answer: z.string().max(65_536),
});
export const StepRequest = z.strictObject({ handle, actions: z.array(WireAction) });
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

export const MakeResponse = z.strictObject({ handle, spec: EnvSpecSchema });

/** The env's reset result (env/schemas.ts); observations carry `gold` only when asked for. */
export const ResetResponse = ResetResultSchema;

/** The env's step result (env/schemas.ts). For the eval role the server sends status
 * `withheld`, reward and verdict null, and no group stats. */
export const StepResponse = StepBatchResultSchema;

/** How the episodes of one env (or split, or server) ended (env/schemas.ts). */
export const EpisodeCounts = EpisodeCountsSchema;
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

/** A response envelope: the verb's body, or an error. */
export type ResponseEnvelope =
  | { id: string; type: Verb; body: unknown }
  | { id: string; type: 'error'; body: ErrorBody };

export function isVerb(t: string): t is Verb {
  return (VERBS as readonly string[]).includes(t);
}
