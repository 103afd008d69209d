/**
 * FactRecall-v0: options validated, the source and judge resolved, the env built.
 *
 * Bump-the-version rule: FactRecall-v0 is frozen once results are reported against it. A change
 * that could change learning results (reward semantics, prompt text, answer extraction,
 * question order, default source or judge) is registered as FactRecall-v1 beside it, never
 * folded into v0. The fingerprint catches what the id misses (a different source or judge).
 */
import { createJudge, type JudgeSpec } from '../judges/index.ts';
import type { Judge } from '../judges/types.ts';
import { isFactRecallError } from '../lib/errors.ts';
import { canonicalJson, sha256 } from '../lib/hash.ts';
import { generateWorld, worldSplitSource } from './datasets/factworld/index.ts';
import { envError } from './errors.ts';
import { FactRecallEnv } from './factrecall-env.ts';
import { isJudge, parseEnvOptions } from './options.ts';
import { loadPreparedSplits } from './splits/load.ts';
import type { SplitName, SplitSource, SubsetIds, SubsetSpec } from './types.ts';

export const FACTRECALL_V0_ID = 'FactRecall-v0';
export const FACTRECALL_V0_VERSION = 0;

let defaultSourceMemo: SplitSource | undefined;

/** The FactWorld default world (FactWorld's default config), generated once per process. */
export function defaultSource(): SplitSource {
  defaultSourceMemo ??= worldSplitSource(generateWorld({}));
  return defaultSourceMemo;
}

/**
 * Build FactRecall-v0 from raw options (see EnvOptionsSchema in options.ts for every field and
 * default). Questions come from `source`, else the FactWorld default world; prepared splits
 * named by `splits` are read from disk, so they go through the async `openFactRecallV0` (which
 * `make` uses). A judge given as a spec is created here and closed with the env; a Judge object
 * stays its caller's to close.
 */
export function makeFactRecallV0(rawOptions: unknown = {}): FactRecallEnv {
  const options = parseEnvOptions(rawOptions);
  if (options.splits) {
    throw envError(
      'FR_ERR_ENV_BAD_OPTIONS',
      'splits are loaded from disk: use make() or openFactRecallV0() for them',
    );
  }
  const base = options.source ?? defaultSource();
  const source = options.subset ? pinSubset(base, options.subset) : base;
  const given = isJudge(options.judge);
  const judge = isJudge(options.judge) ? options.judge : judgeFromSpec(options.judge);
  try {
    return new FactRecallEnv({
      id: FACTRECALL_V0_ID,
      version: FACTRECALL_V0_VERSION,
      options,
      source,
      judge,
      ownsJudge: !given,
    });
  } catch (e) {
    // A bad source fails here, after the judge was made: close the one we made (an LLM judge
    // holds its SQLite cache open), or every refused `make` would leak it.
    if (!given) void judge.close?.().catch(() => undefined);
    throw e;
  }
}

/** A judge spec is an option value: a spec no judge accepts is FR_ERR_ENV_BAD_OPTIONS. */
function judgeFromSpec(spec: JudgeSpec): Judge {
  try {
    return createJudge(spec);
  } catch (e) {
    if (!isFactRecallError(e, 'FR_ERR_JUDGE_INVALID_SPEC')) throw e;
    throw envError('FR_ERR_ENV_BAD_OPTIONS', `judge: ${e.message}`, {
      cause: e,
      details: { issues: [{ path: ['judge'], message: e.message }] },
    });
  }
}

/**
 * The source restricted to the given question ids per split (a pinned subset). Every id must
 * be in its split; the subset enters the hash (as the ids it resolves to, so `{first: n}` and
 * the same ids listed give one fingerprint), so envs over it have their own fingerprint.
 */
export function pinSubset(source: SplitSource, subset: SubsetSpec): SplitSource {
  const splits = { ...source.splits };
  const parts: string[] = [];
  const resolved: Partial<Record<SplitName, readonly string[]>> = {};
  for (const [split, spec] of Object.entries(subset) as Array<[SplitName, SubsetIds]>) {
    const ids =
      'first' in spec ? (source.splits[split] ?? []).slice(0, spec.first).map((r) => r.id) : spec;
    if (ids.length === 0)
      throw envError('FR_ERR_ENV_BAD_OPTIONS', `subset.${split}: the ${split} split is empty`);
    resolved[split] = ids;
    const want = new Set(ids);
    const kept = (source.splits[split] ?? []).filter((r) => want.has(r.id));
    if (kept.length !== want.size) {
      throw envError(
        'FR_ERR_ENV_BAD_OPTIONS',
        `subset.${split}: ${want.size - kept.length} of ${want.size} ids are not questions of the ${split} split`,
      );
    }
    splits[split] = kept;
    parts.push(`${split} pinned to ${kept.length}`);
  }
  return {
    ...source,
    splits,
    hash: sha256(
      `${source.hash}\n${canonicalJson(Object.fromEntries(Object.entries(resolved).map(([k, v]) => [k, [...(v ?? [])].sort()])))}`,
    ),
    description: `${source.description} (${parts.join(', ')})`,
  };
}

/**
 * `make('FactRecall-v0', options)`: like makeFactRecallV0, and also loads prepared splits named
 * by `splits` (a dataset name from `factrecall data prepare`, or a directory), refusing split
 * files whose sha256 differs from their manifest unless `force` is set.
 */
export async function openFactRecallV0(rawOptions: unknown = {}): Promise<FactRecallEnv> {
  const options = parseEnvOptions(rawOptions);
  if (!options.splits) return makeFactRecallV0(rawOptions);
  const source = await loadPreparedSplits(options.splits, { force: options.force });
  return makeFactRecallV0({
    ...(rawOptions as Record<string, unknown>),
    splits: undefined,
    force: undefined,
    source,
  });
}
