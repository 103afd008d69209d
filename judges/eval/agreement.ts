/**
 * Agreement of a judge with labelled verdicts: accuracy, Cohen's kappa and the confusion matrix
 * over the three labels, plus the same on the binary reward (correct vs not), which is what
 * training sees. Failed verdicts are counted, and left out of accuracy and kappa.
 */
import type { VerdictLabel } from '../types.ts';

export const LABELS: readonly VerdictLabel[] = ['correct', 'incorrect', 'not_attempted'];

export interface Agreement {
  items: number;
  /** Items the judge failed on (no verdict). */
  failed: number;
  accuracy: number;
  kappa: number;
  /** confusion[gold][predicted]. */
  confusion: Record<VerdictLabel, Record<VerdictLabel, number>>;
  rewardAccuracy: number;
  rewardKappa: number;
}

/**
 * Cohen's kappa from a square count matrix: (p_o - p_e) / (1 - p_e), where p_o is the observed
 * agreement (diagonal share) and p_e the agreement expected from the two marginals alone.
 * 1 when both raters agree on everything, including the degenerate one-class case.
 */
export function cohensKappa(matrix: readonly (readonly number[])[]): number {
  const n = matrix.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  if (n === 0) return Number.NaN;
  const k = matrix.length;
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    observed += matrix[i]![i]!;
    const rowSum = matrix[i]!.reduce((a, b) => a + b, 0);
    const colSum = matrix.reduce((s, row) => s + row[i]!, 0);
    expected += (rowSum / n) * (colSum / n);
  }
  const po = observed / n;
  if (expected === 1) return po === 1 ? 1 : 0;
  return (po - expected) / (1 - expected);
}

/** Compare predicted labels (null = judge failed) with gold labels, item by item. */
export function agreement(
  gold: readonly VerdictLabel[],
  predicted: readonly (VerdictLabel | null)[],
): Agreement {
  const confusion = Object.fromEntries(
    LABELS.map((g) => [g, Object.fromEntries(LABELS.map((p) => [p, 0]))]),
  ) as Agreement['confusion'];
  const reward = [
    [0, 0],
    [0, 0],
  ];
  let failed = 0;
  gold.forEach((g, i) => {
    const p = predicted[i];
    if (p === null || p === undefined) {
      failed++;
      return;
    }
    confusion[g][p]++;
    reward[g === 'correct' ? 1 : 0]![p === 'correct' ? 1 : 0]!++;
  });
  const matrix = LABELS.map((g) => LABELS.map((p) => confusion[g][p]));
  const decided = gold.length - failed;
  const diag = LABELS.reduce((s, l) => s + confusion[l][l], 0);
  return {
    items: gold.length,
    failed,
    accuracy: decided ? diag / decided : Number.NaN,
    kappa: cohensKappa(matrix),
    confusion,
    rewardAccuracy: decided ? (reward[0]![0]! + reward[1]![1]!) / decided : Number.NaN,
    rewardKappa: cohensKappa(reward),
  };
}

/** A plain-text report: the numbers and the confusion matrix. */
export function formatAgreement(judgeId: string, a: Agreement): string {
  const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)}%`);
  const f3 = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(3));
  const w = 15;
  const lines = [
    `judge ${judgeId}: ${a.items} items, ${a.failed} failed`,
    `accuracy ${pct(a.accuracy)}  kappa ${f3(a.kappa)}  (reward: accuracy ${pct(a.rewardAccuracy)}, kappa ${f3(a.rewardKappa)})`,
    '',
    `${'gold \\ judge'.padEnd(w)}${LABELS.map((l) => l.padStart(w)).join('')}`,
    ...LABELS.map(
      (g) => `${g.padEnd(w)}${LABELS.map((p) => String(a.confusion[g][p]).padStart(w)).join('')}`,
    ),
  ];
  return lines.join('\n');
}
