/**
 * The request bodies of the leaderboard's HTTP API, as zod schemas (unknown keys are errors).
 * docs/leaderboard.md describes each route; responses are built field by field in routes/.
 */
import { z } from 'zod';

const text = (max: number) => z.string().trim().min(1).max(max);

/** What a submitter says about the model behind a submission. */
export const ModelMeta = z.strictObject({
  /** Entry name in the table; one entry per (team, name). */
  name: text(100).regex(/^[\w .:+@/()-]+$/, 'letters, digits, spaces and ._:+@/()- only'),
  /** Parameter count as written by the submitter, e.g. "135M". */
  size: text(20).optional(),
  /** How it was trained: base, instruct, sft, grpo, ... */
  method: text(40).optional(),
  /** Where to read more (http or https). */
  link: z
    .url({ protocol: /^https?$/ })
    .max(300)
    .optional(),
  /** The team's own pre-RL entry this one is compared with (its `name`). */
  baseline: text(100).optional(),
});
export type ModelMeta = z.infer<typeof ModelMeta>;

/** POST /v1/submissions: a predictions file (JSON lines `{"id": ..., "answer": ...}`). */
export const UploadBody = z.strictObject({
  dataset: text(40),
  model: ModelMeta,
  predictions: z.string(),
});

/** POST /v1/submissions/live: claim a finished eval run of the env server. */
export const LiveBody = z.strictObject({
  runId: text(120),
  model: ModelMeta,
});

/** One line of a predictions file. */
export const PredictionLine = z.strictObject({
  id: z.string().min(1).max(200),
  answer: z.string().max(10_000),
});

export const TeamBody = z.strictObject({
  name: text(64).regex(/^[\w.-]+$/, 'letters, digits and ._- only'),
});

export const BoardQuery = z.strictObject({ round: z.coerce.number().int().positive().optional() });

/** "path: message; path: message" for a failed parse. */
export function zodIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
}
