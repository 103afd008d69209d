/**
 * Split assignment, before dedup. Every choice is a pure function of (dataset, seed) and the
 * source rows: a seeded permutation picks the rows, and each split keeps source order so the
 * files diff cleanly.
 */
import { seededPermutation } from '../../lib/rng.ts';
import type { QARecord } from '../types.ts';
import { splitsError } from './errors.ts';

export interface AssignedSplits {
  train: QARecord[];
  val: QARecord[];
  test: QARecord[];
}

export interface Proportions {
  train: number;
  val: number;
  test: number;
}

/** Default partition of a single evaluation file (PopQA, SimpleQA, or any file without a train file). */
export const DEFAULT_PROPORTIONS: Proportions = { train: 0.7, val: 0.05, test: 0.25 };

/**
 * NQ-open / TriviaQA: `trainSize` questions sampled from the official train file, `valSize`
 * more from the rest of it, and test = the whole official dev/validation file.
 */
export function sampleOfficialTrain(
  officialTrain: readonly QARecord[],
  officialEval: readonly QARecord[],
  opts: { trainSize: number; valSize: number; seed: number; dataset: string },
): AssignedSplits {
  const { trainSize, valSize } = opts;
  for (const [name, v] of [
    ['train size', trainSize],
    ['val size', valSize],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 0)) {
      throw splitsError('FR_ERR_SPLITS_INVALID_OPTIONS', `${name} must be an integer >= 0`);
    }
  }
  if (trainSize + valSize > officialTrain.length) {
    throw splitsError(
      'FR_ERR_SPLITS_TOO_FEW_RECORDS',
      `train file has ${officialTrain.length} questions, asked for ${trainSize} train + ${valSize} val`,
    );
  }
  const perm = seededPermutation(officialTrain.length, 'splits', opts.dataset, opts.seed, 'train');
  return {
    train: pick(officialTrain, perm.slice(0, trainSize)),
    val: pick(officialTrain, perm.slice(trainSize, trainSize + valSize)),
    test: [...officialEval],
  };
}

/** PopQA / SimpleQA (or a dataset without its train file): a seeded partition of one file. */
export function partitionEvaluation(
  records: readonly QARecord[],
  opts: { proportions: Proportions; seed: number; dataset: string },
): AssignedSplits {
  const p = checkProportions(opts.proportions);
  const n = records.length;
  const nTest = Math.round(n * p.test);
  const nVal = Math.round(n * p.val);
  const nTrain = n - nTest - nVal;
  if (nTest < 1 || nTrain < 1) {
    throw splitsError(
      'FR_ERR_SPLITS_TOO_FEW_RECORDS',
      `${n} questions cannot be partitioned into non-empty train and test with ${JSON.stringify(p)}`,
    );
  }
  const perm = seededPermutation(n, 'splits', opts.dataset, opts.seed, 'partition');
  return {
    train: pick(records, perm.slice(0, nTrain)),
    val: pick(records, perm.slice(nTrain, nTrain + nVal)),
    test: pick(records, perm.slice(nTrain + nVal)),
  };
}

/** Parse "0.7,0.05,0.25" (train,val,test); they must be >= 0 and sum to 1. */
export function parseProportions(text: string): Proportions {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x))) {
    throw splitsError(
      'FR_ERR_SPLITS_INVALID_OPTIONS',
      `proportions must be three numbers train,val,test (e.g. 0.7,0.05,0.25), got "${text}"`,
    );
  }
  const [train, val, test] = parts as [number, number, number];
  return checkProportions({ train, val, test });
}

function checkProportions(p: Proportions): Proportions {
  const sum = p.train + p.val + p.test;
  if (p.train <= 0 || p.val < 0 || p.test <= 0 || Math.abs(sum - 1) > 1e-6) {
    throw splitsError(
      'FR_ERR_SPLITS_INVALID_OPTIONS',
      `proportions need train > 0, val >= 0, test > 0 summing to 1, got ${JSON.stringify(p)}`,
    );
  }
  return p;
}

/** The rows at `indices`, in source order. */
function pick(records: readonly QARecord[], indices: readonly number[]): QARecord[] {
  return [...indices].sort((a, b) => a - b).map((i) => records[i]!);
}
