/**
 * FactRecall-v0 options: validated once with zod, defaults filled in, then frozen. Unknown
 * keys are errors whose message names the known keys and the nearest one.
 */
import { z } from 'zod';
import type { JudgeSpec } from '../judges/index.ts';
import type { Judge } from '../judges/types.ts';
import { envError } from './errors.ts';
import { DATASET_NAMES, SPLIT_NAMES, type SplitSource } from './types.ts';

export function isJudge(value: unknown): value is Judge {
  if (!value || typeof value !== 'object') return false;
  const j = value as Record<string, unknown>;
  return (
    typeof j.judge === 'function' && typeof j.id === 'string' && typeof j.fingerprint === 'string'
  );
}

/** Shallow shape check; `prepareSplits` (order.ts) checks every record when the env is built. */
export function isSplitSource(value: unknown): value is SplitSource {
  if (!value || typeof value !== 'object') return false;
  const s = value as Record<string, unknown>;
  return (
    typeof s.hash === 'string' &&
    s.hash.length > 0 &&
    typeof s.description === 'string' &&
    (DATASET_NAMES as readonly unknown[]).includes(s.dataset) &&
    !!s.splits &&
    typeof s.splits === 'object'
  );
}

export const DEFAULT_EPISODE_TTL_MS = 10 * 60_000;

export const EnvOptionsSchema = z.strictObject({
  source: z
    .custom<SplitSource>(isSplitSource, {
      message: 'expected a SplitSource {dataset, splits, hash, description}',
    })
    .optional()
    .describe('Where questions come from; default: the FactWorld default world.'),
  splits: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Prepared splits to load by dataset name (from `factrecall data prepare`) or directory; ' +
        'their manifest hash enters the fingerprint. Not together with `source`.',
    ),
  force: z
    .boolean()
    .default(false)
    .describe(
      'With `splits`: load even when a split file does not match its manifest (recorded in the ' +
        'source description and hash, so the fingerprint differs).',
    ),
  judge: z
    .custom<Judge | JudgeSpec>(
      (v) =>
        isJudge(v) ||
        (typeof v === 'string' && v.length > 0) ||
        (!!v && typeof v === 'object' && !Array.isArray(v)),
      { message: "expected a judge spec ('exact', 'contains', {kind: ...}) or a Judge object" },
    )
    .default('exact')
    .describe('Judge spec for createJudge (checked there), or a Judge the caller owns.'),
  prompt: z
    .enum(['direct', 'cot'])
    .default('direct')
    .describe('Prompt template: direct (answer only; default) or cot (reason, final line).'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(0)
    .describe('Seed of the question order (a permutation per split and epoch).'),
  start: z
    .partialRecord(
      z.enum(SPLIT_NAMES),
      z.strictObject({ epoch: z.number().int().min(0), cursor: z.number().int().min(0) }),
    )
    .optional()
    .describe(
      "Begin a split's question order at (epoch, cursor) instead of (0, 0), as if that many " +
        'questions had been handed out; how a resumed training run continues. Not part of the fingerprint.',
    ),
  subset: z
    .partialRecord(
      z.enum(SPLIT_NAMES),
      z.union([
        z.array(z.string().min(1)).min(1),
        z.strictObject({ first: z.number().int().positive() }),
      ]),
    )
    .optional()
    .describe(
      'Serve only these question ids of a split (a pinned leaderboard subset of test), in the ' +
        "split's seeded order; or `{first: n}`, the split's first n questions as its source lists " +
        'them (all when it has fewer). The subset enters the source hash, hence the fingerprint.',
    ),
  maxAnswerChars: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(200)
    .describe('Extracted answers are cut to this many characters and marked truncated.'),
  episodeTtlMs: z
    .number()
    .int()
    .min(1)
    .default(DEFAULT_EPISODE_TTL_MS)
    .describe('An episode unanswered this long after its reset expires.'),
  maxResetEpisodes: z
    .number()
    .int()
    .min(1)
    .default(65_536)
    .describe('Most episodes (batchSize x groupSize) one reset may issue.'),
  maxStepActions: z
    .number()
    .int()
    .min(1)
    .default(65_536)
    .describe('Most actions one step may carry.'),
  clock: z
    .custom<() => number>((v) => typeof v === 'function', { message: 'expected () => number' })
    .optional()
    .describe('Milliseconds clock for deadlines (tests inject one); default Date.now.'),
});

export type EnvOptionsInput = z.input<typeof EnvOptionsSchema>;
export type EnvOptions = Readonly<z.output<typeof EnvOptionsSchema>>;

export const OPTION_KEYS = Object.keys(EnvOptionsSchema.shape);

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

function nearestKey(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of OPTION_KEYS) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * The keys an object at `path` inside the options may hold (record keys for a record with
 * an enum key, like `start`), so an unknown nested key is reported at its own level.
 */
function keysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType = EnvOptionsSchema;
  for (const step of [...path, undefined]) {
    // Unwrap optional/default wrappers to the object or record underneath.
    for (;;) {
      const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType };
      if ((def.type === 'optional' || def.type === 'default') && def.innerType) {
        schema = def.innerType;
      } else break;
    }
    const def = schema._zod.def as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      keyType?: z.core.$ZodType;
      valueType?: z.core.$ZodType;
    };
    if (step === undefined) {
      if (def.type === 'object' && def.shape) return Object.keys(def.shape);
      const keys = (def.keyType?._zod.def as { entries?: Record<string, string> } | undefined)
        ?.entries;
      return def.type === 'record' && keys ? Object.values(keys) : [];
    }
    const next =
      def.type === 'object'
        ? def.shape?.[String(step)]
        : def.type === 'record'
          ? def.valueType
          : undefined;
    if (!next) return [];
    schema = next;
  }
  return [];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys' && issue.path.length > 0) {
    const where = issue.path.map(String).join('.');
    const known = keysAt(issue.path);
    return issue.keys
      .map(
        (k) =>
          `${where}: unknown key '${k}'${known.length ? `; known keys: ${known.join(', ')}` : ''}`,
      )
      .join('; ');
  }
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((k) => {
        const near = nearestKey(k);
        return `unknown option '${k}'${near ? ` (did you mean '${near}'?)` : ''}; known options: ${OPTION_KEYS.join(', ')}`;
      })
      .join('; ');
  }
  const where = issue.path.length ? issue.path.join('.') : 'options';
  return `${where}: ${issue.message}`;
}

/** Validate, fill defaults, freeze. Throws FR_ERR_ENV_BAD_OPTIONS saying what to fix. */
export function parseEnvOptions(input: unknown): EnvOptions {
  const parsed = EnvOptionsSchema.refine((o) => !(o.source && o.splits), {
    message: 'give either `source` or `splits`, not both',
  }).safeParse(input ?? {});
  if (!parsed.success) {
    throw envError('FR_ERR_ENV_BAD_OPTIONS', parsed.error.issues.map(describeIssue).join('; '), {
      details: {
        issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      },
    });
  }
  return Object.freeze(parsed.data);
}
