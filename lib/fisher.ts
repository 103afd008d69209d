/**
 * One-sided Fisher exact test for "method A answers more questions right than method B", each
 * scored on its own n questions: given the total right over both, the number A gets is
 * hypergeometric under the null (the same accuracy), and p = P(X >= a). Sums in log space:
 * C(400, 200) is about 1e119, within a double but not its integers.
 */

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/**
 * p = P(X >= rightA) for X ~ Hypergeometric(population nA + nB, successes rightA + rightB,
 * draws nA): how often A would get at least its count if both had the same accuracy.
 */
export function fisherOneSided(rightA: number, nA: number, rightB: number, nB: number): number {
  for (const [x, n] of [
    [rightA, nA],
    [rightB, nB],
  ] as const) {
    if (!Number.isInteger(x) || !Number.isInteger(n) || x < 0 || n <= 0 || x > n)
      throw new RangeError(`fisherOneSided: ${x} right of ${n} is not a count`);
  }
  const total = nA + nB;
  const right = rightA + rightB;
  const logAll = logChoose(total, nA);
  let p = 0;
  for (let x = rightA; x <= Math.min(right, nA); x++)
    p += Math.exp(logChoose(right, x) + logChoose(total - right, nA - x) - logAll);
  return Math.min(1, p);
}
