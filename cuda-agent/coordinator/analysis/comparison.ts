/**
 * The analyses of issue 15 on one comparison run (`factrecall compare`'s results.json), as pure
 * functions: pass@k curves before and after (unbiased estimator, lib/pass-at-k.ts), the
 * accessibility buckets of the train questions (access-buckets.ts) with the gain of each run
 * inside them, the attribution of held-out gain to bucket-alone GRPO runs, P(gold) before and
 * after (gold-prob.ts rows), the transition table of greedy answers, and the side effect on
 * questions whose true answer is the attribute's popular value.
 */
import { normalizeAnswer } from '../../../judges/normalize.ts';
import { meanPassAtK } from '../../../lib/pass-at-k.ts';
import type { CompareResults } from '../organism/compare-run.ts';
import type { Snapshot } from '../organism/snapshot.ts';
import { trainError } from '../training/errors.ts';
import {
  ACCESS_BUCKETS,
  type AccessBucket,
  accessBucket,
  attributionShares,
  type BucketRow,
  withinRunGain,
} from './access-buckets.ts';
import { goldProbRows, type LabelledGoldScores } from './gold-prob.ts';
import type { GoldProbRow } from './report.ts';

/** The snapshot after `recipe` (FR_ERR_TRAIN_RUN_UNREADABLE when the run lacks it). */
export function afterOf(r: CompareResults, recipe: string): Snapshot {
  const s = r.recipes[recipe]?.after;
  if (!s)
    throw trainError(
      'FR_ERR_TRAIN_RUN_UNREADABLE',
      `seed ${r.worldSeed}: no \`${recipe}\` results (recipes run: ${Object.keys(r.recipes).join(', ') || 'none'})`,
    );
  return s;
}

export function beforeOf(r: CompareResults): Snapshot {
  if (!r.before)
    throw trainError(
      'FR_ERR_TRAIN_RUN_UNREADABLE',
      `seed ${r.worldSeed}: no snapshot before training`,
    );
  return r.before;
}

/** Every k from 1 to n. */
export const allKs = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Mean unbiased pass@k over a split's sampled questions, for each k. */
export function passAtKCurve(
  snap: Snapshot,
  split: string,
  ks: readonly number[],
): { k: number; value: number }[] {
  const s = snap.sampled[split];
  if (!s)
    throw trainError('FR_ERR_TRAIN_RUN_UNREADABLE', `no samples on ${split} in this snapshot`);
  const counts = Object.values(s.correct).map(([c, n]) => ({ n, c }));
  return ks.map((k) => ({ k, value: meanPassAtK(counts, k) }));
}

/** The accessibility bucket of every train question, from the snapshot before training. */
export function trainBuckets(r: CompareResults): Map<string, AccessBucket> {
  const before = beforeOf(r);
  const s = before.sampled['train'];
  if (!s) throw trainError('FR_ERR_TRAIN_RUN_UNREADABLE', 'no train samples before training');
  return new Map(
    Object.entries(s.correct).map(([id, [c, n]]) => [
      id,
      accessBucket(c, n, before.greedy.train.answers[id]?.[1] === 1),
    ]),
  );
}

/** Buckets of the train questions and where `recipe`'s own train gain sits among them. */
export function bucketGains(r: CompareResults, recipe: string): BucketRow[] {
  const before = beforeOf(r).greedy.train.answers;
  const after = afterOf(r, recipe).greedy.train.answers;
  return withinRunGain(
    [...trainBuckets(r)].map(([id, bucket]) => ({
      bucket,
      before: before[id]?.[1] === 1,
      after: after[id]?.[1] === 1,
    })),
  );
}

/** Question-weighted greedy accuracy on val and test together. */
export function heldOutAccuracy(snap: Pick<Snapshot, 'greedy'>): number {
  const v = snap.greedy.val;
  const t = snap.greedy.test;
  return (v.accuracy * v.questions + t.accuracy * t.questions) / (v.questions + t.questions);
}

/** Held-out gain of GRPO on each bucket alone, as shares (attributionShares) of the gain on all. */
export function attribution(r: CompareResults) {
  if (!r.attribution)
    throw trainError(
      'FR_ERR_TRAIN_RUN_UNREADABLE',
      `seed ${r.worldSeed}: attribution was not run (factrecall compare --attribution)`,
    );
  const base = heldOutAccuracy(beforeOf(r));
  const v = r.before!.greedy.val.questions;
  const t = r.before!.greedy.test.questions;
  // The attribution's own run on all questions (same schedule) when it has one, else the recipe.
  const allRun = r.attribution.runs.find((x) => x.bucket === 'all');
  const all = allRun
    ? (allRun.val * v + allRun.test * t) / (v + t) - base
    : heldOutAccuracy(afterOf(r, 'grpo')) - base;
  const gains = r.attribution.runs
    .filter((x) => x.bucket !== 'all')
    .map((run) => ({
      bucket: run.bucket,
      questions: run.questions,
      gain: (run.val * v + run.test * t) / (v + t) - base,
    }));
  const shares = attributionShares(gains, all);
  return {
    before: base,
    allGain: all,
    ...shares,
    rows: shares.rows.map((s, i) => ({ ...s, questions: gains[i]!.questions })),
  };
}

/** P(gold) rows per group of people, then per accessibility bucket of the train questions. */
export function goldRows(r: CompareResults, recipe: string): GoldProbRow[] {
  const before = beforeOf(r).gold;
  const after = afterOf(r, recipe).gold;
  const score = (g: Record<string, [number, number]>, id: string) => ({
    questionId: id,
    gold: g[id]![0],
    popular: g[id]![1],
  });
  const group = new Map(r.questions.map((q) => [q.id, q.split]));
  const labelled: LabelledGoldScores[] = Object.keys(before)
    .filter((id) => after[id])
    .map((id) => ({
      split: group.get(id) ?? 'qa',
      before: score(before, id),
      after: score(after, id),
    }));
  const buckets = trainBuckets(r);
  const byBucket = ACCESS_BUCKETS.flatMap((b) =>
    [...buckets]
      .filter(([id, x]) => x === b && after[id])
      .map(([id]) => ({
        split: 'train',
        bucket: b,
        before: score(before, id),
        after: score(after, id),
      })),
  );
  const order = ['train', 'val', 'test', 'qa'];
  labelled.sort((a, b) => order.indexOf(a.split) - order.indexOf(b.split));
  return goldProbRows([...labelled, ...byBucket]);
}

/** (P(gold) before, after) per held-out question, for the scatter plot. */
export function goldPairs(r: CompareResults, recipe: string, splits = ['val', 'test']) {
  const before = beforeOf(r).gold;
  const after = afterOf(r, recipe).gold;
  return r.questions
    .filter((q) => splits.includes(q.split) && before[q.id] && after[q.id])
    .map((q) => ({
      id: q.id,
      before: before[q.id]![0],
      after: after[q.id]![0],
      goldIsPopular: q.goldIsPopular,
    }));
}

export interface Transitions {
  split: string;
  questions: number;
  rightToRight: number;
  wrongToRight: number;
  rightToWrong: number;
  /** Wrong before and after, with the same answer / with another answer. */
  wrongSame: number;
  wrongChanged: number;
  /** Answers whose judge failed before or after (in no cell). */
  unscored: number;
}

/** How greedy answers moved between two snapshots on a split with per-question rewards. */
export function transitions(
  before: Snapshot,
  after: Snapshot,
  split: 'train' | 'val',
): Transitions {
  const t: Transitions = {
    split,
    questions: 0,
    rightToRight: 0,
    wrongToRight: 0,
    rightToWrong: 0,
    wrongSame: 0,
    wrongChanged: 0,
    unscored: 0,
  };
  for (const [id, [answer, reward]] of Object.entries(before.greedy[split].answers)) {
    t.questions++;
    const a = after.greedy[split].answers[id];
    if (!a || a[1] === null || reward === null) {
      t.unscored++;
      continue;
    }
    if (reward === 1) {
      if (a[1] === 1) t.rightToRight++;
      else t.rightToWrong++;
    } else if (a[1] === 1) t.wrongToRight++;
    else if (normalizeAnswer(a[0]) === normalizeAnswer(answer)) t.wrongSame++;
    else t.wrongChanged++;
  }
  return t;
}

/**
 * The side effect on held-out questions whose true answer is the popular value: P(gold) and
 * val greedy accuracy before/after, apart from the other held-out questions.
 */
export function popularSideEffect(r: CompareResults, recipe: string) {
  const before = beforeOf(r);
  const after = afterOf(r, recipe);
  const mean = (xs: number[]) =>
    xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : Number.NaN;
  return [true, false].map((isPopular) => {
    const qs = r.questions.filter(
      (q) => (q.split === 'val' || q.split === 'test') && q.goldIsPopular === isPopular,
    );
    const val = qs.filter((q) => q.split === 'val');
    const acc = (s: Snapshot) =>
      mean(
        val
          .map((q) => s.greedy.val.answers[q.id]?.[1])
          .filter((x) => x !== null && x !== undefined) as number[],
      );
    return {
      goldIsPopular: isPopular,
      questions: qs.length,
      valQuestions: val.length,
      goldBefore: mean(qs.map((q) => before.gold[q.id]?.[0] ?? Number.NaN)),
      goldAfter: mean(qs.map((q) => after.gold[q.id]?.[0] ?? Number.NaN)),
      valGreedyBefore: acc(before),
      valGreedyAfter: acc(after),
    };
  });
}
