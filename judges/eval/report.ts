/**
 * One judge, evaluated the way `factrecall judge eval` and the threshold test do: agreement with
 * each labelled slice (with coverage; failures count against the judge) and the red team's
 * reward (judges/redteam).
 */

import { distinctQuestions, type RedTeamReport, runRedTeam } from '../redteam/redteam.ts';
import type { Judge, VerdictLabel } from '../types.ts';
import { type Agreement, agreement } from './agreement.ts';
import { LABEL_SLICES, type LabelledItem, type LabelSlice, readLabels } from './labels.ts';

export interface SliceAgreement {
  slice: string;
  agreement: Agreement;
}

export interface JudgeReport {
  judgeId: string;
  fingerprint: string;
  slices: SliceAgreement[];
  redTeam?: RedTeamReport;
}

export interface EvaluateOptions {
  /** Run the red team on the slices' questions. Default true. */
  redTeam?: boolean;
  /** Red-team questions (seeded sample); default all. */
  redTeamQuestions?: number;
  /** Items per judge call. Default 32. */
  chunk?: number;
  /** Called after each chunk with the items done so far, per phase. */
  onProgress?: (phase: string, done: number, total: number) => void;
}

/** The bundled slices, read and checked. */
export async function bundledSlices(
  names: readonly LabelSlice[] = ['easy', 'hard'],
): Promise<Record<string, LabelledItem[]>> {
  const out: Record<string, LabelledItem[]> = {};
  for (const n of names) out[n] = await readLabels(LABEL_SLICES[n]);
  return out;
}

/** Verdict labels of a judge on items, in order (null = judge_failed), chunk by chunk. */
export async function labelsOf(
  judge: Judge,
  items: readonly LabelledItem[],
  chunk = 32,
  onChunk?: (done: number) => void,
): Promise<Array<VerdictLabel | null>> {
  const out: Array<VerdictLabel | null> = [];
  for (let i = 0; i < items.length; i += chunk) {
    const part = items.slice(i, i + chunk);
    for (const v of await judge.judge(part)) out.push(v.verdict);
    onChunk?.(out.length);
  }
  return out;
}

export async function evaluateJudge(
  judge: Judge,
  slices: Record<string, readonly LabelledItem[]>,
  opts: EvaluateOptions = {},
): Promise<JudgeReport> {
  const report: JudgeReport = { judgeId: judge.id, fingerprint: judge.fingerprint, slices: [] };
  for (const [slice, items] of Object.entries(slices)) {
    const labels = await labelsOf(judge, items, opts.chunk ?? 32, (done) =>
      opts.onProgress?.(slice, done, items.length),
    );
    report.slices.push({
      slice,
      agreement: agreement(
        items.map((i) => i.label),
        labels,
      ),
    });
  }
  if (opts.redTeam ?? true) {
    const questions = distinctQuestions(Object.values(slices).flat());
    report.redTeam = await runRedTeam(judge, questions, {
      ...(opts.redTeamQuestions !== undefined ? { maxQuestions: opts.redTeamQuestions } : {}),
    });
  }
  return report;
}
