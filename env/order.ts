/**
 * Question order: for each split, epoch e is a seeded permutation of the split's questions,
 * a pure function of (seed, split, epoch). Questions are first sorted by id, so the order
 * does not depend on how the source happened to list them. A cursor walks the permutation and
 * rolls into the next epoch when it runs out.
 */
import { seededPermutation } from '../lib/rng.ts';
import { envError } from './errors.ts';
import { type QARecord, SPLIT_NAMES, type SplitName, type SplitSource } from './types.ts';

/** Bump when the permutation scheme changes (it enters the env fingerprint). */
export const ORDER_VERSION = 1;

/** Records of one split sorted by id: the base the permutations index into. */
export type SortedSplit = readonly QARecord[];

/**
 * Check every record (non-empty unique id, question, answers) and sort each split by id.
 * Throws FR_ERR_ENV_BAD_SOURCE naming the first bad record.
 */
/** Checked and sorted splits per source object: a server making thousands of envs over one source checks and sorts it once. */
const prepared = new WeakMap<SplitSource, Partial<Record<SplitName, SortedSplit>>>();

export function prepareSplits(source: SplitSource): Partial<Record<SplitName, SortedSplit>> {
  let out = prepared.get(source);
  if (!out) {
    out = checkAndSort(source);
    prepared.set(source, out);
  }
  return out;
}

function checkAndSort(source: SplitSource): Partial<Record<SplitName, SortedSplit>> {
  const out: Partial<Record<SplitName, SortedSplit>> = {};
  for (const [name, records] of Object.entries(source.splits)) {
    if (!(SPLIT_NAMES as readonly string[]).includes(name)) {
      throw envError('FR_ERR_ENV_BAD_SOURCE', `unknown split '${name}' (splits: ${SPLIT_NAMES})`);
    }
    if (!Array.isArray(records)) {
      throw envError('FR_ERR_ENV_BAD_SOURCE', `split '${name}' is not a list of records`);
    }
    const seen = new Set<string>();
    records.forEach((r: QARecord, i) => {
      const where = `split '${name}' record ${i}${typeof r?.id === 'string' ? ` (${r.id})` : ''}`;
      if (!r || typeof r.id !== 'string' || r.id === '')
        throw envError('FR_ERR_ENV_BAD_SOURCE', `${where}: no id`);
      if (seen.has(r.id)) throw envError('FR_ERR_ENV_BAD_SOURCE', `${where}: duplicate id`);
      seen.add(r.id);
      if (typeof r.question !== 'string' || r.question.trim() === '')
        throw envError('FR_ERR_ENV_BAD_SOURCE', `${where}: empty question`);
      if (
        !Array.isArray(r.answers) ||
        r.answers.length === 0 ||
        !r.answers.every((a) => typeof a === 'string')
      )
        throw envError(
          'FR_ERR_ENV_BAD_SOURCE',
          `${where}: answers must be a non-empty string list`,
        );
    });
    out[name as SplitName] = [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  return out;
}

/** The order of epoch `epoch`: indices into the id-sorted split. */
export function epochOrder(seed: number, split: SplitName, epoch: number, size: number): number[] {
  return seededPermutation(size, 'factrecall-order', ORDER_VERSION, seed, split, epoch);
}

/** Where a split's cursor stands. */
export interface CursorPosition {
  epoch: number;
  /** Questions of `epoch` already handed out. */
  position: number;
}

/** Walks a split's epochs; keeps the current epoch's permutation. */
export class SplitCursor {
  private epoch = 0;
  private position = 0;
  private order: number[];

  /**
   * `start` begins the walk at (epoch, cursor) instead of (0, 0): the same questions the
   * cursor would reach by handing out epoch * size + cursor questions first (how a resumed
   * training run continues where its checkpoint stood).
   */
  constructor(
    private readonly seed: number,
    private readonly split: SplitName,
    private readonly records: SortedSplit,
    start: { epoch: number; cursor: number } = { epoch: 0, cursor: 0 },
  ) {
    if (start.cursor > records.length) {
      throw envError(
        'FR_ERR_ENV_BAD_OPTIONS',
        `start.${split}.cursor ${start.cursor} is past the ${records.length} questions of the split`,
      );
    }
    this.epoch = start.epoch;
    this.position = start.cursor;
    this.order = epochOrder(seed, split, start.epoch, records.length);
  }

  get size(): number {
    return this.records.length;
  }

  where(): CursorPosition {
    return { epoch: this.epoch, position: this.position };
  }

  /** The next `count` questions, rolling into new epochs as needed. */
  take(count: number): Array<{ record: QARecord; epoch: number }> {
    if (this.records.length === 0) throw envError('FR_ERR_ENV_EMPTY_SPLIT', this.split);
    const out: Array<{ record: QARecord; epoch: number }> = [];
    while (out.length < count) {
      if (this.position === this.order.length) {
        this.epoch += 1;
        this.position = 0;
        this.order = epochOrder(this.seed, this.split, this.epoch, this.records.length);
      }
      out.push({ record: this.records[this.order[this.position]!]!, epoch: this.epoch });
      this.position += 1;
    }
    return out;
  }
}
