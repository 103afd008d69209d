/**
 * The FactWorld config: validated once by zod (unknown keys are errors), then frozen. Every
 * field has a default; `parseWorldConfig({})` is the default world.
 */
import { z } from 'zod';
import { fingerprintOf } from '../../../lib/hash.ts';
import {
  ATTRIBUTE_NAMES,
  ATTRIBUTES,
  type AttributeName,
  DEFAULT_ATTRIBUTES,
} from './attributes.ts';
import { factworldError } from './errors.ts';

/** Bump when a change to the generator changes the world a config produces. */
export const FACTWORLD_VERSION = 1;

export const GROUP_NAMES = ['qa', 'train', 'val', 'test'] as const;
/**
 * `qa`: people whose question-answer text is in the pretraining corpus (teaches the answer
 * format); `train`: RL-training people (biographies only); `val`, `test`: held-out people
 * (biographies only, never in any question-answer text).
 */
export type GroupName = (typeof GROUP_NAMES)[number];

const attributeName = z.enum(ATTRIBUTE_NAMES);
const fraction = z.number().min(0).max(1);

export const worldConfigSchema = z
  .strictObject({
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(0)
      .describe('Seed of every random choice; same config => byte-identical world. Default 0.'),
    people: z
      .number()
      .int()
      .min(4)
      .max(1_000_000)
      .default(400)
      .describe('Number of fictional people. Default 400.'),
    attributes: z
      .array(attributeName)
      .min(1)
      .default([...DEFAULT_ATTRIBUTES])
      .describe(
        `Attributes every person has, in this order (one question each). One or more of ${ATTRIBUTE_NAMES.join(', ')}. Default: ${DEFAULT_ATTRIBUTES.join(', ')}.`,
      ),
    poolSizes: z
      .partialRecord(attributeName, z.number().int().min(2))
      .default({})
      .describe(
        `Distinct values per attribute (cities, years, ...). Defaults: ${ATTRIBUTE_NAMES.map((a) => `${a} ${ATTRIBUTES[a].defaultPoolSize}`).join(', ')}; large, so a guesser of the right type rarely hits.`,
      ),
    truthSkew: z
      .number()
      .min(0)
      .max(3)
      .default(0.5)
      .describe(
        'Zipf exponent of the true value distribution (value of rank r has weight r^-skew; 0 = uniform). Mildly skewed by default (0.5), so always answering the most frequent value is right rarely but not never.',
      ),
    groups: z
      .strictObject({
        qa: fraction.describe('Fraction of people whose question-answer text is pretrained on.'),
        train: fraction.describe('Fraction of RL-training people (biographies only). > 0.'),
        val: fraction.describe('Fraction of held-out validation people (biographies only).'),
        test: fraction.describe('Fraction of held-out test people (biographies only). > 0.'),
      })
      .default({ qa: 0.3, train: 0.4, val: 0.1, test: 0.2 })
      .describe(
        'Partition of people into groups; the four fractions sum to 1. Default qa 0.3, train 0.4, val 0.1, test 0.2.',
      ),
    biographiesPerPerson: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(6)
      .describe(
        'Biographies per person in the pretraining corpus; each states every attribute once, in a shuffled order, with a randomly chosen paraphrase. Default 6.',
      ),
    qaLinesPerFact: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(1)
      .describe('Question-answer lines per fact of a `qa` person in the corpus. Default 1.'),
    popularAnswerFraction: fraction
      .default(0.6)
      .describe(
        "Fraction of the corpus's question-answer lines (per attribute) whose answer is the attribute's popular value instead of the truth: the general habit RL can fix. Biographies always hold the truth. Default 0.6.",
      ),
    popularValue: z
      .partialRecord(attributeName, z.union([z.number().int().min(0), z.string().min(1)]))
      .default({})
      .describe(
        "Per attribute, which value is popular: a number is a rank in the world's frequency order of true values (0 = the most frequent value), a string is a value of the pool. Default rank 0.",
      ),
  })
  .superRefine((cfg, ctx) => {
    const issue = (path: PropertyKey[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    if (new Set(cfg.attributes).size !== cfg.attributes.length) {
      issue(['attributes'], 'attributes must not repeat');
    }
    const sum = GROUP_NAMES.reduce((s, g) => s + cfg.groups[g], 0);
    if (Math.abs(sum - 1) > 1e-9) issue(['groups'], `fractions must sum to 1, not ${sum}`);
    if (cfg.groups.train === 0)
      issue(['groups', 'train'], 'must be > 0 (RL needs training people)');
    if (cfg.groups.test === 0)
      issue(['groups', 'test'], 'must be > 0 (held-out people are the point)');
    if (Math.abs(sum - 1) <= 1e-9) {
      const counts = allocateGroups(cfg.people, cfg.groups);
      for (const g of GROUP_NAMES) {
        if (cfg.groups[g] > 0 && counts[g] === 0) {
          issue(['people'], `${cfg.people} people leave group ${g} empty; raise people`);
        }
      }
    }
    for (const [attr, size] of Object.entries(cfg.poolSizes) as Array<[AttributeName, number]>) {
      if (!cfg.attributes.includes(attr)) issue(['poolSizes', attr], 'not one of `attributes`');
      else if (size > ATTRIBUTES[attr].maxPoolSize) {
        issue(['poolSizes', attr], `at most ${ATTRIBUTES[attr].maxPoolSize} for ${attr}`);
      }
    }
    for (const [attr, v] of Object.entries(cfg.popularValue) as Array<[AttributeName, unknown]>) {
      if (!cfg.attributes.includes(attr)) issue(['popularValue', attr], 'not one of `attributes`');
      else if (typeof v === 'number' && v >= poolSizeOf(cfg, attr)) {
        issue(['popularValue', attr], `rank ${v} is outside the pool of ${poolSizeOf(cfg, attr)}`);
      }
    }
  });

/** A validated, frozen FactWorld config. */
export type WorldConfig = Readonly<z.output<typeof worldConfigSchema>>;
/** What callers may pass: any subset of the fields, the rest take their defaults. */
export type WorldConfigInput = z.input<typeof worldConfigSchema>;

/** Pool size of `attr` under `cfg` (the configured size or the attribute's default). */
export function poolSizeOf(
  cfg: Pick<z.output<typeof worldConfigSchema>, 'poolSizes'>,
  attr: AttributeName,
): number {
  return cfg.poolSizes[attr] ?? ATTRIBUTES[attr].defaultPoolSize;
}

/**
 * People per group: largest remainders of `people * fraction`, ties to the earlier group, so
 * the counts sum to `people` exactly.
 */
export function allocateGroups(
  people: number,
  fractions: Readonly<Record<GroupName, number>>,
): Record<GroupName, number> {
  const exact = GROUP_NAMES.map((g) => people * fractions[g]);
  const counts = exact.map(Math.floor);
  let left = people - counts.reduce((a, b) => a + b, 0);
  const byRemainder = GROUP_NAMES.map((_, i) => i).sort(
    (a, b) => exact[b]! - counts[b]! - (exact[a]! - counts[a]!) || a - b,
  );
  for (const i of byRemainder) {
    if (left <= 0) break;
    counts[i]!++;
    left--;
  }
  return Object.fromEntries(GROUP_NAMES.map((g, i) => [g, counts[i]!])) as Record<
    GroupName,
    number
  >;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validate a (partial) config and fill in the defaults. Throws FR_ERR_FACTWORLD_BAD_CONFIG
 * naming every bad field.
 */
export function parseWorldConfig(input: unknown = {}): WorldConfig {
  const parsed = worldConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.length ? i.path.join('.') : '(config)'}: ${i.message}`,
    );
    throw factworldError('FR_ERR_FACTWORLD_BAD_CONFIG', problems.join('; '), {
      details: { issues: problems },
    });
  }
  // Spell out the defaults per attribute, so `{}` and the explicit defaults fingerprint alike.
  const cfg = parsed.data;
  const poolSizes: Partial<Record<AttributeName, number>> = {};
  const popularValue: Partial<Record<AttributeName, number | string>> = {};
  for (const attr of cfg.attributes) {
    poolSizes[attr] = poolSizeOf(cfg, attr);
    popularValue[attr] = cfg.popularValue[attr] ?? 0;
  }
  return deepFreeze({ ...cfg, poolSizes, popularValue });
}

/** Stable fingerprint of a world: its full config plus the generator version. */
export function worldFingerprint(config: WorldConfig): string {
  return fingerprintOf({ factworld: FACTWORLD_VERSION, config });
}
