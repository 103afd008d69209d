/**
 * `prepareDataset`: from a dataset name (and optional files) to a prepared directory.
 * - NQ-open / TriviaQA with `trainFile`: `trainSize` train + `valSize` val sampled from the
 *   official train file, test = the evaluation file (mode `official-train`). Any dataset can
 *   take a train file this way.
 * - Without a train file (PopQA, SimpleQA, and NQ/TriviaQA on machines that only hold the
 *   evaluation file): a seeded partition of the evaluation file (mode `partition-eval`).
 * - FactWorld: the generated world's split by person (mode `factworld-people`).
 * Then train is deduplicated against test and everything is written (prepare.ts).
 */
import { basename } from 'node:path';
import { canonicalJson, sha256, sha256File } from '../../lib/hash.ts';
import {
  FACTWORLD_VERSION,
  generateWorld,
  type WorldConfigInput,
  worldSplitSource,
} from '../datasets/factworld/index.ts';
import { loadDatasetFile, sharedDatasetPath } from '../datasets/index.ts';
import type { LoadResult } from '../datasets/records.ts';
import type { DatasetName, QARecord } from '../types.ts';
import {
  type AssignedSplits,
  DEFAULT_PROPORTIONS,
  type Proportions,
  partitionEvaluation,
  sampleOfficialTrain,
} from './assign.ts';
import { splitsError } from './errors.ts';
import { defaultPreparedDir } from './load.ts';
import type { SplitMode } from './manifest.ts';
import {
  type DeciderFactory,
  dedupAndWrite,
  heuristicDecider,
  type PrepareResult,
  type SourceInfo,
} from './prepare.ts';

export interface PrepareDatasetOptions {
  dataset: DatasetName;
  /** Official train file (NQ-open jsonl, TriviaQA JSON or DPR TSV...); omit to partition. */
  trainFile?: string;
  /** Evaluation file; default the shared real file for the dataset. */
  evalFile?: string;
  /** Default <cache>/prepared/<dataset>. */
  outDir?: string;
  seed?: number;
  /** official-train mode: train questions sampled (default 10,000) and val (default 500). */
  trainSize?: number;
  valSize?: number;
  /** partition-eval mode: train/val/test fractions (default 0.7/0.05/0.25). */
  proportions?: Proportions;
  /** Lexical candidates per test question (default 10). */
  topK?: number;
  /** Answer-sharing candidates per test question (default 5). */
  answerK?: number;
  /** Pairs decided at once (default 8). */
  concurrency?: number;
  /** Default: the offline heuristic. */
  decider?: DeciderFactory;
  /** Record and skip rows that fail to load instead of refusing the file. */
  skipBadRows?: boolean;
  /** PopQA without --eval: which shared copy (default corver, all rows). */
  popqaCopy?: 'corver' | 'hipporag';
  /** FactWorld: the world config (default: the generator's defaults). */
  factworld?: WorldConfigInput;
  maxFailures?: number;
  signal?: AbortSignal;
  quiet?: boolean;
}

export const PREPARE_DEFAULTS = {
  seed: 0,
  trainSize: 10_000,
  valSize: 500,
  topK: 10,
  answerK: 5,
  concurrency: 8,
} as const;

export async function prepareDataset(opts: PrepareDatasetOptions): Promise<PrepareResult> {
  const worldSeed = opts.dataset === 'factworld' ? opts.factworld?.seed : undefined;
  if (worldSeed !== undefined && opts.seed !== undefined && worldSeed !== opts.seed) {
    throw splitsError(
      'FR_ERR_SPLITS_INVALID_OPTIONS',
      `seed ${opts.seed} and factworld.seed ${worldSeed} disagree; give one`,
    );
  }
  const seed = opts.seed ?? worldSeed ?? PREPARE_DEFAULTS.seed;
  if (!Number.isInteger(seed)) {
    throw splitsError('FR_ERR_SPLITS_INVALID_OPTIONS', 'seed must be an integer');
  }
  const { mode, sources, assigned, options } = await assemble(opts, seed);
  return dedupAndWrite(
    { dataset: opts.dataset, mode, seed, options, sources, assigned },
    opts.outDir ?? defaultPreparedDir(opts.dataset),
    {
      topK: opts.topK ?? PREPARE_DEFAULTS.topK,
      answerK: opts.answerK ?? PREPARE_DEFAULTS.answerK,
      concurrency: opts.concurrency ?? PREPARE_DEFAULTS.concurrency,
      decider: opts.decider ?? heuristicDecider(),
      ...(opts.maxFailures !== undefined ? { maxFailures: opts.maxFailures } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      quiet: opts.quiet ?? false,
    },
  );
}

interface Assembled {
  mode: SplitMode;
  sources: SourceInfo[];
  assigned: AssignedSplits;
  options: Record<string, unknown>;
}

async function assemble(opts: PrepareDatasetOptions, seed: number): Promise<Assembled> {
  const dataset = opts.dataset;
  if (dataset === 'factworld') {
    if (opts.trainFile || opts.evalFile) {
      throw splitsError(
        'FR_ERR_SPLITS_INVALID_OPTIONS',
        'factworld is generated: it takes a world config, not --train/--eval files',
      );
    }
    const world = generateWorld({ ...opts.factworld, seed });
    const source = worldSplitSource(world);
    const assigned: AssignedSplits = {
      train: [...(source.splits.train ?? [])],
      val: [...(source.splits.val ?? [])],
      test: [...(source.splits.test ?? [])],
    };
    const n = assigned.train.length + assigned.val.length + assigned.test.length;
    return {
      mode: 'factworld-people',
      assigned,
      options: { world: world.config, worldFingerprint: world.fingerprint },
      sources: [
        {
          role: 'generated',
          path: source.description,
          file: `factworld-${world.fingerprint}`,
          sha256: sha256(canonicalJson(world.config)),
          format: `factworld-v${FACTWORLD_VERSION}`,
          rowsRead: n,
          records: n,
          skippedBadRows: 0,
        },
      ],
    };
  }

  const evalPath =
    opts.evalFile ??
    sharedDatasetPath(dataset, opts.popqaCopy ? { popqaCopy: opts.popqaCopy } : {});
  const evalSource = await loadSource('eval', evalPath, dataset, opts.skipBadRows ?? false);
  if (opts.trainFile) {
    const trainSource = await loadSource(
      'train',
      opts.trainFile,
      dataset,
      opts.skipBadRows ?? false,
    );
    const trainSize = opts.trainSize ?? PREPARE_DEFAULTS.trainSize;
    const valSize = opts.valSize ?? PREPARE_DEFAULTS.valSize;
    return {
      mode: 'official-train',
      sources: [trainSource.info, evalSource.info],
      assigned: sampleOfficialTrain(trainSource.records, evalSource.records, {
        trainSize,
        valSize,
        seed,
        dataset,
      }),
      options: { trainSize, valSize, skipBadRows: opts.skipBadRows ?? false },
    };
  }
  const proportions = opts.proportions ?? DEFAULT_PROPORTIONS;
  return {
    mode: 'partition-eval',
    sources: [evalSource.info],
    assigned: partitionEvaluation(evalSource.records, { proportions, seed, dataset }),
    options: { proportions, skipBadRows: opts.skipBadRows ?? false },
  };
}

async function loadSource(
  role: 'train' | 'eval',
  path: string,
  dataset: DatasetName,
  skipBadRows: boolean,
): Promise<{ info: SourceInfo; records: QARecord[] }> {
  const loaded: LoadResult = await loadDatasetFile(path, { dataset });
  if (loaded.errors.length > 0 && !skipBadRows) {
    const first = loaded.errors[0]!;
    throw splitsError(
      'FR_ERR_SPLITS_SOURCE_INVALID',
      `${loaded.errors.length} bad row(s) in ${path}; first at line ${first.line}: ${first.code} ${first.message}`,
      { details: { file: path, badRows: loaded.errors.length } },
    );
  }
  return {
    records: loaded.records,
    info: {
      role,
      path,
      file: basename(path),
      sha256: await sha256File(path),
      format: loaded.format,
      rowsRead: loaded.rowsRead,
      records: loaded.records.length,
      skippedBadRows: loaded.errors.length,
    },
  };
}
