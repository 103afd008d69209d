/**
 * The pinned test splits a leaderboard scores against: the test split of each configured
 * prepared dataset (its manifest hash is the split fingerprint), and the secret division of
 * each split into a public and a private part. A question's part is a keyed hash of its id
 * (`sha256(salt, dataset, id)` below the private fraction), with a salt made when the
 * database is made and never sent: submitters cannot tell which questions are private.
 */
import { createHash } from 'node:crypto';
import { loadPreparedSplits } from '../env/splits/load.ts';
import { DATASET_NAMES, type QARecord } from '../env/types.ts';
import { boardError } from './errors.ts';

export interface PinnedSplit {
  /** The board's name for it (a column): the dataset's name, or a label (`simpleqa-small=DIR`). */
  dataset: string;
  /** The dataset its questions come from. */
  source: string;
  /** The manifest hash of the prepared splits: which questions and gold answers. */
  splitHash: string;
  /** Where it was loaded from (for the info route: a path, no gold). */
  description: string;
  records: ReadonlyMap<string, QARecord>;
  /** Part per question id: 0 public, 1 private. */
  part: ReadonlyMap<string, 0 | 1>;
  nPublic: number;
  nPrivate: number;
}

export function partOf(salt: string, dataset: string, id: string, privateFraction: number): 0 | 1 {
  const h = createHash('sha256').update(`${salt}\0${dataset}\0${id}`).digest();
  return h.readUInt32BE(0) / 2 ** 32 < privateFraction ? 1 : 0;
}

export function pinSplit(
  dataset: string,
  source: string,
  test: readonly QARecord[],
  splitHash: string,
  description: string,
  salt: string,
  privateFraction: number,
): PinnedSplit {
  if (test.length === 0) {
    throw boardError('FR_ERR_LEADERBOARD_BAD_CONFIG', `${dataset}: the test split is empty`);
  }
  const records = new Map<string, QARecord>();
  const part = new Map<string, 0 | 1>();
  let nPrivate = 0;
  for (const r of test) {
    records.set(r.id, r);
    const p = partOf(salt, dataset, r.id, privateFraction);
    part.set(r.id, p);
    nPrivate += p;
  }
  return {
    dataset,
    source,
    splitHash,
    description,
    records,
    part,
    nPublic: records.size - nPrivate,
    nPrivate,
  };
}

/**
 * Load `dataset`, `dataset=DIR` or `label=DIR` (a prepared directory) and pin its test split.
 * A label (lower-case letters, digits, `_-`) names a second split of one dataset, e.g. a small
 * one; it may not be the name of another dataset.
 */
export async function loadPinned(
  spec: string,
  salt: string,
  privateFraction: number,
): Promise<PinnedSplit> {
  const eq = spec.indexOf('=');
  const where = eq < 0 ? spec : spec.slice(eq + 1);
  const source = await loadPreparedSplits(where).catch((e: unknown) => {
    throw boardError('FR_ERR_LEADERBOARD_BAD_CONFIG', `--splits ${spec}: ${(e as Error).message}`, {
      cause: e,
    });
  });
  const dataset = eq < 0 ? source.dataset : spec.slice(0, eq);
  if (!/^[a-z0-9_-]{1,40}$/.test(dataset)) {
    throw boardError(
      'FR_ERR_LEADERBOARD_BAD_CONFIG',
      `--splits ${spec}: a label is 1-40 lower-case letters, digits, _ and -`,
    );
  }
  if (dataset !== source.dataset && (DATASET_NAMES as readonly string[]).includes(dataset)) {
    throw boardError(
      'FR_ERR_LEADERBOARD_BAD_CONFIG',
      `--splits ${spec}: the directory holds ${source.dataset}, not ${dataset}`,
    );
  }
  return pinSplit(
    dataset,
    source.dataset,
    source.splits.test ?? [],
    source.hash,
    `prepared ${dataset}, manifest ${source.hash.slice(0, 12)}`,
    salt,
    privateFraction,
  );
}
