/**
 * The leaderboard server's configuration: validated once (unknown keys are errors, each
 * message names the field), then frozen. `leaderboard serve` builds it from its flags.
 */
import { z } from 'zod';
import { boardError } from './errors.ts';

export const BoardConfig = z.strictObject({
  /** SQLite database; made (with its parent folder) on first start. */
  dbPath: z.string().min(1),
  /** Pinned test splits: `dataset` (default prepared dir) or `dataset=DIR`. */
  splits: z
    .array(z.string().min(1))
    .min(1, 'pin at least one prepared dataset (--splits simpleqa)'),
  /** Judge spec (createJudge): `exact` by default; `llm` with its endpoint configured. */
  judge: z.string().min(1).default('exact'),
  /** Share of each test split held back as the private part; fixed when the database is made. */
  privateFraction: z.number().gt(0).lt(1).default(0.5),
  /** Submissions per team per quota window (failed scorings do not count). */
  quota: z.number().int().min(1).default(5),
  quotaWindowMs: z
    .number()
    .int()
    .min(1000)
    .default(24 * 3_600_000),
  /** Requests per minute per token (or per address without a valid token). */
  rateLimitPerMinute: z.number().int().min(1).default(120),
  /** Largest request body accepted. */
  bodyLimitBytes: z
    .number()
    .int()
    .min(1024)
    .default(32 * 1024 * 1024),
  /** The env server's eval-runs file, for submissions by live run. */
  evalRunsPath: z.string().min(1).optional(),
  /** Predictions judged per committed chunk. */
  scoreChunk: z.number().int().min(1).default(500),
});
export type BoardConfig = Readonly<z.infer<typeof BoardConfig>>;

export function parseBoardConfig(raw: unknown): BoardConfig {
  const r = BoardConfig.safeParse(raw);
  if (!r.success) {
    throw boardError(
      'FR_ERR_LEADERBOARD_BAD_CONFIG',
      r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  return Object.freeze({ ...r.data, splits: Object.freeze([...r.data.splits]) as string[] });
}
