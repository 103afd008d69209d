/**
 * Accessibility buckets: how often the model already produces a question's gold answer when
 * sampling before RL. The paper's hardest bucket (never correct in 128 samples) drives most of
 * the gain; `gainByBucket` attributes the change in greedy accuracy to each bucket.
 */

export interface QuestionOutcome {
  questionId: string;
  /** Correct samples out of `samples` before RL (sampled at the training temperature). */
  correctSamples: number;
  samples: number;
  greedyBefore: boolean;
  greedyAfter: boolean;
}

export const BUCKETS = ['never', 'rare', 'sometimes', 'often', 'always'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** never: 0 of n; rare: ≤ 25%; sometimes: ≤ 75%; often: < 100%; always: n of n. */
export function bucketOf(correct: number, samples: number): Bucket {
  if (correct === 0) return 'never';
  if (correct === samples) return 'always';
  const f = correct / samples;
  if (f <= 0.25) return 'rare';
  if (f <= 0.75) return 'sometimes';
  return 'often';
}

export interface BucketRow {
  bucket: Bucket;
  questions: number;
  /** Share of all questions in this bucket. */
  share: number;
  greedyBefore: number;
  greedyAfter: number;
  /** Net questions gained (after − before, in questions). */
  netGain: number;
  /** This bucket's share of the total net gain (NaN when the total is 0). */
  shareOfGain: number;
}

export function gainByBucket(outcomes: readonly QuestionOutcome[]): BucketRow[] {
  const totalGain = outcomes.reduce(
    (a, o) => a + Number(o.greedyAfter) - Number(o.greedyBefore),
    0,
  );
  return BUCKETS.map((bucket) => {
    const qs = outcomes.filter((o) => bucketOf(o.correctSamples, o.samples) === bucket);
    const before = qs.filter((o) => o.greedyBefore).length;
    const after = qs.filter((o) => o.greedyAfter).length;
    const net = after - before;
    return {
      bucket,
      questions: qs.length,
      share: outcomes.length ? qs.length / outcomes.length : 0,
      greedyBefore: qs.length ? before / qs.length : Number.NaN,
      greedyAfter: qs.length ? after / qs.length : Number.NaN,
      netGain: net,
      shareOfGain: totalGain !== 0 ? net / totalGain : Number.NaN,
    };
  });
}
