/**
 * pass@k: the probability that at least one of k answers is correct. Shared by the GRPO
 * analyses (cuda-agent) and `factrecall eval` (agents), so it lives in lib/.
 *
 * Unbiased estimator from n ≥ k samples of which c are correct (Chen et al. 2021, Codex):
 *   pass@k = 1 - C(n - c, k) / C(n, k) = 1 - Π_{i = n-c+1..n} (1 - k / i)
 * computed as the product so that n = 128 does not overflow. Averaged over questions.
 *
 * Chance level: a guesser that draws k answers uniformly, independently, from a pool of m
 * values of the right type, hits a given gold answer with probability 1 - (1 - 1/m)^k.
 * Every pass@k report shows this beside the model's value, so that a high pass@128 from a
 * small pool is not read as knowledge.
 */

/** Unbiased pass@k for one question with c correct out of n samples. */
export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k) || n < 1 || k < 1)
    throw new RangeError(`passAtK needs integers n >= 1, k >= 1 (got n=${n}, c=${c}, k=${k})`);
  if (c < 0 || c > n) throw new RangeError(`passAtK: c=${c} outside 0..n=${n}`);
  if (k > n) throw new RangeError(`passAtK: k=${k} exceeds the ${n} samples`);
  if (n - c < k) return 1;
  let missAll = 1;
  for (let i = n - c + 1; i <= n; i++) missAll *= 1 - k / i;
  return 1 - missAll;
}

/**
 * Mean unbiased pass@k over questions, given (n scored samples, c correct) per question.
 * A question with fewer than k scored samples (some judge verdicts failed) has no unbiased
 * estimate at k and is left out, never counted as a miss; NaN when no question qualifies.
 */
export function meanPassAtK(counts: readonly { n: number; c: number }[], k: number): number {
  const usable = counts.filter((q) => q.n >= k);
  if (usable.length === 0) return Number.NaN;
  return usable.reduce((a, q) => a + passAtK(q.n, q.c, k), 0) / usable.length;
}

/** Chance pass@k of a uniform guesser over a pool of m values. */
export function chancePassAtK(poolSize: number, k: number): number {
  if (poolSize < 1) throw new RangeError(`chancePassAtK: pool size ${poolSize} < 1`);
  return 1 - (1 - 1 / poolSize) ** k;
}

/** The k values reported for n samples: powers of two up to n (1, 2, 4, ..., n). */
export function reportedKs(n: number): number[] {
  const ks: number[] = [];
  for (let k = 1; k <= n; k *= 2) ks.push(k);
  if (ks[ks.length - 1] !== n && n > 0) ks.push(n);
  return ks;
}
