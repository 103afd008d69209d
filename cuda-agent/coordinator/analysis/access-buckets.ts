/**
 * The accessibility buckets (issue 15, the paper's): how often the model produced a question's
 * gold answer in n samples (128 in the paper) before training, with greedy-correct questions
 * apart. The one bucket scheme of every report (demo, real-model runs, comparisons):
 *
 *   greedy-correct  the greedy answer before training is already right (whatever the samples)
 *   never           0 of n samples right            (the paper: about 18% of training data)
 *   rare            0 < share <= 10%
 *   sometimes       10% < share <= 50%
 *   mostly          share > 50%, greedy still wrong
 *
 * `gainByBucket` / `withinRunGain` attribute a run's change in greedy accuracy to the bucket
 * each question sat in before training; `attributionShares` turns bucket-alone runs into shares.
 */

export const ACCESS_BUCKETS = ['never', 'rare', 'sometimes', 'mostly', 'greedy-correct'] as const;
export type AccessBucket = (typeof ACCESS_BUCKETS)[number];

export function accessBucket(
  correct: number,
  samples: number,
  greedyCorrect: boolean,
): AccessBucket {
  if (greedyCorrect) return 'greedy-correct';
  if (correct === 0 || samples === 0) return 'never';
  const share = correct / samples;
  if (share <= 0.1) return 'rare';
  if (share <= 0.5) return 'sometimes';
  return 'mostly';
}

export interface AttributionShare {
  bucket: string;
  /** Held-out gain (after - before, accuracy points) of training on this bucket alone. */
  gain: number;
  /** gain / gain of training on all questions (these need not sum to 1: effects interact). */
  ofAll: number;
  /** gain / sum of the buckets' gains: the attribution proper, summing to 1. */
  share: number;
}

/**
 * Shares of the held-out gain per bucket-alone run: `share` sums to 1 over the buckets (when
 * their gains do not sum to 0), `ofAll` compares each with training on everything.
 */
export function attributionShares(
  gains: readonly { bucket: string; gain: number }[],
  allGain: number,
): { rows: AttributionShare[]; sumOfGains: number; additivity: number } {
  const sum = gains.reduce((a, g) => a + g.gain, 0);
  return {
    rows: gains.map((g) => ({
      bucket: g.bucket,
      gain: g.gain,
      ofAll: allGain !== 0 ? g.gain / allGain : Number.NaN,
      share: sum !== 0 ? g.gain / sum : Number.NaN,
    })),
    sumOfGains: sum,
    additivity: allGain !== 0 ? sum / allGain : Number.NaN,
  };
}

export interface BucketRow {
  bucket: AccessBucket;
  questions: number;
  /** Share of the questions (of the split bucketed, e.g. the training questions) in this bucket. */
  share: number;
  greedyBefore: number;
  greedyAfter: number;
  /** Net questions gained in this bucket (after - before, in questions). */
  netGain: number;
  /** netGain / total net gain: sums to 1 over the buckets (NaN when the total is 0). */
  shareOfGain: number;
}

/** Where one run's gain on a set of bucketed questions sits, bucket by bucket. */
export function withinRunGain(
  questions: readonly { bucket: AccessBucket; before: boolean; after: boolean }[],
): BucketRow[] {
  const total = questions.reduce((a, q) => a + Number(q.after) - Number(q.before), 0);
  return ACCESS_BUCKETS.map((bucket) => {
    const qs = questions.filter((q) => q.bucket === bucket);
    const b = qs.filter((q) => q.before).length;
    const a = qs.filter((q) => q.after).length;
    return {
      bucket,
      questions: qs.length,
      share: questions.length ? qs.length / questions.length : 0,
      greedyBefore: qs.length ? b / qs.length : Number.NaN,
      greedyAfter: qs.length ? a / qs.length : Number.NaN,
      netGain: a - b,
      shareOfGain: total !== 0 ? (a - b) / total : Number.NaN,
    };
  });
}

export interface QuestionOutcome {
  questionId: string;
  /** Correct samples out of `samples` before training (sampled at the training temperature). */
  correctSamples: number;
  samples: number;
  greedyBefore: boolean;
  greedyAfter: boolean;
}

/** `withinRunGain` with each question's bucket from its samples and greedy answer before. */
export function gainByBucket(outcomes: readonly QuestionOutcome[]): BucketRow[] {
  return withinRunGain(
    outcomes.map((o) => ({
      bucket: accessBucket(o.correctSamples, o.samples, o.greedyBefore),
      before: o.greedyBefore,
      after: o.greedyAfter,
    })),
  );
}
