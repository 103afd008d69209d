/**
 * The manifest of a prepared dataset: what went in (source files and their sha256), how it was
 * split (mode, seed, options), what came out (every file's sha256 and count) and how it was
 * deduplicated (the decider's kind, fingerprint and settings; the dedup summary per held-out
 * split: train is deduplicated against val ∪ test, val and test are not deduplicated against
 * each other). It holds no
 * timings or absolute paths, so the same inputs and seed give the same bytes on any machine;
 * its `hash` (sha256 of everything else, canonical JSON) is the split hash the env fingerprint
 * takes. Run facts (times, paths, resumed decisions) go to `run.json` instead.
 */
import { z } from 'zod';
import { canonicalJson, sha256 } from '../../lib/hash.ts';
import { DATASET_NAMES, SPLIT_NAMES } from '../types.ts';

/**
 * v2: train is deduplicated against val as well as test, and the summary is per held-out
 * split. A v1 directory (train deduplicated against test only) is refused: prepare it again.
 */
export const MANIFEST_FORMAT = 'factrecall.splits/v2';
export const MANIFEST_FILE = 'manifest.json';
export const RUN_FILE = 'run.json';
export const DECISIONS_FILE = 'decisions.jsonl';
/** The append-only working log a re-run resumes from. */
export const DECISION_LOG_FILE = 'decisions.log.jsonl';

/** How the splits were drawn. */
export const SPLIT_MODES = ['official-train', 'partition-eval', 'factworld-people'] as const;
export type SplitMode = (typeof SPLIT_MODES)[number];

const fileEntry = z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

const splitEntry = fileEntry.extend({
  count: z.number().int().nonnegative(),
  /** Count before fact-level dedup (differs from `count` for train only). */
  countBeforeDedup: z.number().int().nonnegative(),
});

/** One held-out split's dedup numbers (see HeldOutSummary in dedup.ts). */
const heldOutSummary = z.object({
  questions: z.number().int().nonnegative(),
  candidatePairs: z.number().int().nonnegative(),
  containedPairs: z.number().int().nonnegative(),
  withContained: z.number().int().nonnegative(),
  removedTrain: z.number().int().nonnegative(),
});

/** The manifest's dedup scope, in words. */
export const DEDUP_SCOPE =
  'train deduplicated against val and test (the held-out splits); val and test are not deduplicated against each other';

export const manifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    dataset: z.enum(DATASET_NAMES),
    mode: z.enum(SPLIT_MODES),
    seed: z.number().int(),
    options: z.record(z.string(), z.unknown()),
    sources: z.array(
      fileEntry.extend({
        role: z.enum(['train', 'eval', 'generated']),
        format: z.string(),
        rowsRead: z.number().int().nonnegative(),
        records: z.number().int().nonnegative(),
        /** Rows that failed to load and were skipped (only with --skip-bad-rows). */
        skippedBadRows: z.number().int().nonnegative(),
      }),
    ),
    splits: z.object(
      Object.fromEntries(SPLIT_NAMES.map((s) => [s, splitEntry])) as Record<
        (typeof SPLIT_NAMES)[number],
        typeof splitEntry
      >,
    ),
    dedup: z.object({
      decider: z.object({
        kind: z.enum(['heuristic', 'llm']),
        fingerprint: z.string(),
        settings: z.record(z.string(), z.unknown()),
      }),
      /** Plain words for readers of the manifest: LLM-judged or the offline heuristic. */
      note: z.string(),
      /** Plain words: which splits train was deduplicated against, and that val/test were not. */
      scope: z.string(),
      retrieval: z.object({ topK: z.number().int(), answerK: z.number().int() }),
      summary: z.object({
        trainBefore: z.number().int(),
        trainAfter: z.number().int(),
        candidatePairs: z.number().int(),
        containedPairs: z.number().int(),
        removedTrain: z.number().int(),
        removedTrainByBoth: z.number().int(),
        heldOut: z.object({ test: heldOutSummary, val: heldOutSummary }),
      }),
      decisions: fileEntry.extend({ count: z.number().int().nonnegative() }),
    }),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

export type Manifest = z.infer<typeof manifestSchema>;

/** sha256 of the canonical JSON of the manifest without its `hash` field. */
export function manifestHash(m: Omit<Manifest, 'hash'> | Manifest): string {
  const { hash: _omit, ...rest } = m as Manifest;
  return sha256(canonicalJson(rest));
}

/** Stamp the hash onto a manifest body. */
export function sealManifest(body: Omit<Manifest, 'hash'>): Manifest {
  return { ...body, hash: manifestHash(body) };
}

/** Pretty, key-sorted JSON: stable bytes for the same manifest. */
export function manifestText(m: Manifest): string {
  return `${JSON.stringify(JSON.parse(canonicalJson(m)), null, 2)}\n`;
}
