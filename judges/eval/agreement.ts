/**
 * Agreement of a judge with labelled verdicts: accuracy, Cohen's kappa and the confusion matrix
 * over the three labels, plus the same on the binary reward (correct vs not), which is what
 * training sees, and the coverage (share of items the judge decided).
 *
 * A failed verdict (judge_failed) counts AGAINST the judge, never out of the denominator: it is
 * a disagreement in accuracy and its own column ("failed", a label gold never has) in the
 * confusion matrix and in kappa. Otherwise a judge that fails on every hard item and decides the
 * easy ones would report perfect agreement. `decidedAccuracy` (over decided items only) is
 * given beside it, and is always printed with the coverage.
 */
import type { VerdictLabel } from '../types.ts';

export const LABELS: readonly VerdictLabel[] = ['correct', 'incorrect', 'not_attempted'];

export interface Agreement {
  items: number;
  /** Items the judge failed on (no verdict). */
  failed: number;
  /** Share of items with a verdict: (items - failed) / items. */
  coverage: number;
  /** Agreeing items / all items (a failure is a disagreement). */
  accuracy: number;
  /** Agreeing items / decided items (only meaningful next to the coverage). */
  decidedAccuracy: number;
  /** Kappa over gold labels x (judge labels + failed). */
  kappa: number;
  /** confusion[gold][predicted], predicted including 'failed'. */
  confusion: Record<VerdictLabel, Record<VerdictLabel | 'failed', number>>;
  /** On the binary reward (1 vs 0), a failure counted as a disagreement. */
  rewardAccuracy: number;
  rewardKappa: number;
}

const COLUMNS: readonly (VerdictLabel | 'failed')[] = [...LABELS, 'failed'];

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
    LABELS.map((g) => [g, Object.fromEntries(COLUMNS.map((p) => [p, 0]))]),
  ) as Agreement['confusion'];
  // reward[gold][judge]: rows 0/1, columns 0/1/failed.
  const reward = [
    [0, 0, 0],
    [0, 0, 0],
  ];
  let failed = 0;
  gold.forEach((g, i) => {
    const p = predicted[i] ?? null;
    if (p === null) failed++;
    confusion[g][p ?? 'failed']++;
    reward[g === 'correct' ? 1 : 0]![p === null ? 2 : p === 'correct' ? 1 : 0]!++;
  });
  // Square matrices for kappa: gold never has the 'failed' label, so its row is zeros.
  const matrix = [...LABELS.map((g) => COLUMNS.map((p) => confusion[g][p])), COLUMNS.map(() => 0)];
  const rewardMatrix = [...reward, [0, 0, 0]];
  const n = gold.length;
  const decided = n - failed;
  const diag = LABELS.reduce((s, l) => s + confusion[l][l], 0);
  return {
    items: n,
    failed,
    coverage: n ? decided / n : Number.NaN,
    accuracy: n ? diag / n : Number.NaN,
    decidedAccuracy: decided ? diag / decided : Number.NaN,
    kappa: cohensKappa(matrix),
    confusion,
    rewardAccuracy: n ? (reward[0]![0]! + reward[1]![1]!) / n : Number.NaN,
    rewardKappa: cohensKappa(rewardMatrix),
  };
}

/** A plain-text report: the numbers and the confusion matrix. */
export function formatAgreement(judgeId: string, a: Agreement): string {
  const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)}%`);
  const f3 = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(3));
  const w = 15;
  const lines = [
    `judge ${judgeId}: ${a.items} items, ${a.failed} failed, coverage ${pct(a.coverage)}`,
    `accuracy ${pct(a.accuracy)}  kappa ${f3(a.kappa)}  (failures count against the judge; on decided items only: ${pct(a.decidedAccuracy)})`,
    `reward: accuracy ${pct(a.rewardAccuracy)}  kappa ${f3(a.rewardKappa)}`,
    '',
    `${'gold \\ judge'.padEnd(w)}${COLUMNS.map((l) => l.padStart(w)).join('')}`,
    ...LABELS.map(
      (g) => `${g.padEnd(w)}${COLUMNS.map((p) => String(a.confusion[g][p]).padStart(w)).join('')}`,
    ),
  ];
  return lines.join('\n');
}
