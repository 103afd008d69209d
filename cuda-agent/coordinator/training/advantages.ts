/**
 * Group-relative advantages (GRPO, DeepSeekMath §4.1; Dr. GRPO, Liu et al. 2025).
 *
 * For one group of n answers to the same question with rewards r_1..r_n:
 *   std mode:    A_i = (r_i - mean(r)) / (std(r) + eps)      std with Bessel's correction (n - 1),
 *                                                            as verl and TRL compute it
 *   no_std mode: A_i = r_i - mean(r)                          (Dr. GRPO: no per-question scaling)
 * Every token of answer i gets A_i.
 *
 * A reward of `null` means the judge gave no verdict. Such a sample is masked: it takes no part
 * in the group's mean and std, gets no advantage, is not trained on, and is counted. It is never
 * read as 0. A group with fewer than two scored samples, or whose scored rewards are all equal,
 * has zero variance: its advantages are 0 (no signal); with `skip` it is dropped from the update.
 * A group with no scored sample at all is always dropped (and counted as skipped).
 */

export type AdvantageMode = 'std' | 'no_std';

export interface AdvantageOptions {
  mode: AdvantageMode;
  /** Drop zero-variance groups from the update instead of training them with advantage 0. */
  skipZeroVariance: boolean;
  /** Added to the std before dividing (std mode). */
  eps?: number;
}

export interface GroupAdvantages {
  /** One per sample, in order; null = not trained (masked reward, or skipped group). */
  advantages: (number | null)[];
  /** Mean of the scored rewards; null when none is scored. */
  meanReward: number | null;
  zeroVariance: boolean;
  skipped: boolean;
  masked: number;
}

export interface AdvantageSummary {
  groups: GroupAdvantages[];
  /** Samples with a null reward, over all groups. */
  maskedSamples: number;
  zeroVarianceGroups: number;
  skippedGroups: number;
  /** Samples that will be trained on (non-null advantage). */
  trainedSamples: number;
}

const DEFAULT_EPS = 1e-6;

/** Advantages of one group. `rewards[i]` is sample i's reward or null (judge failed). */
export function groupAdvantages(
  rewards: readonly (number | null)[],
  opts: AdvantageOptions,
): GroupAdvantages {
  const scored = rewards.filter((r): r is number => r !== null);
  const masked = rewards.length - scored.length;
  if (scored.length === 0) {
    return {
      advantages: rewards.map(() => null),
      meanReward: null,
      zeroVariance: false,
      skipped: true,
      masked,
    };
  }
  const mean = scored.reduce((a, b) => a + b, 0) / scored.length;
  const variance =
    scored.length > 1 ? scored.reduce((a, r) => a + (r - mean) ** 2, 0) / (scored.length - 1) : 0;
  const zeroVariance = scored.length < 2 || scored.every((r) => r === scored[0]);
  if (zeroVariance && opts.skipZeroVariance) {
    return {
      advantages: rewards.map(() => null),
      meanReward: mean,
      zeroVariance,
      skipped: true,
      masked,
    };
  }
  const scale = opts.mode === 'std' ? Math.sqrt(variance) + (opts.eps ?? DEFAULT_EPS) : 1;
  const advantages = rewards.map((r) => {
    if (r === null) return null;
    return zeroVariance ? 0 : (r - mean) / scale;
  });
  return { advantages, meanReward: mean, zeroVariance, skipped: false, masked };
}

/** Advantages of every group of a batch, with the counts the metrics report. */
export function batchAdvantages(
  groups: readonly (readonly (number | null)[])[],
  opts: AdvantageOptions,
): AdvantageSummary {
  const out = groups.map((g) => groupAdvantages(g, opts));
  return {
    groups: out,
    maskedSamples: out.reduce((a, g) => a + g.masked, 0),
    zeroVarianceGroups: out.filter((g) => g.zeroVariance).length,
    skippedGroups: out.filter((g) => g.skipped).length,
    trainedSamples: out.reduce((a, g) => a + g.advantages.filter((x) => x !== null).length, 0),
  };
}
