/**
 * Pieces of the real-model report: greedy generation memoised (so a second judge scores the
 * same answers at no model cost), the style of the answers (length, one line or not), and the
 * seconds of a GRPO step by phase.
 */
import type { ReportTable } from '../analysis/report.ts';
import type { GreedyEval } from '../training/evaluate.ts';
import type { StepMetrics } from '../training/metrics.ts';
import type { Generate } from '../training/rollout.ts';
import type { GenerateResult } from '../worker-types.ts';

/**
 * `gen` with greedy results remembered per (prompt, max_new_tokens, n): greedy decoding is
 * deterministic, so asking again (another env with another judge) returns the same answers.
 * Sampling calls pass through untouched.
 */
export function memoGreedy(gen: Generate): Generate {
  const memo = new Map<string, GenerateResult['results'][number]>();
  return async (p) => {
    if (!p.greedy) return gen(p);
    const key = (prompt: unknown) => JSON.stringify([prompt, p.max_new_tokens ?? null, p.n ?? 1]);
    const missing = p.prompts.filter((q) => !memo.has(key(q)));
    if (missing.length) {
      const res = await gen({ ...p, prompts: missing });
      missing.forEach((q, i) => {
        memo.set(key(q), res.results[i]!);
      });
    }
    return { results: p.prompts.map((q) => memo.get(key(q))!) };
  };
}

export interface AnswerStyle {
  answers: number;
  /** Mean characters of the raw answer (trimmed). */
  meanChars: number;
  meanWords: number;
  /** Share of answers that are one line (no line break inside the trimmed text). */
  oneLine: number;
}

export function answerStyle(ev: GreedyEval): AnswerStyle {
  const texts = ev.answers.map((a) => a.answer.trim());
  const n = texts.length || 1;
  return {
    answers: texts.length,
    meanChars: texts.reduce((s, t) => s + [...t].length, 0) / n,
    meanWords: texts.reduce((s, t) => s + (t ? t.split(/\s+/).length : 0), 0) / n,
    oneLine: texts.filter((t) => !/[\r\n]/.test(t)).length / n,
  };
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');

/** Per-phase mean seconds of the steps (first step apart: it pays for warm-up). */
export function stepSecondsTable(steps: readonly StepMetrics[]): ReportTable {
  const phases = ['generate', 'judge', 'score', 'train', 'total'] as const;
  const mean = (rows: readonly StepMetrics[], k: (typeof phases)[number]) =>
    rows.length ? rows.reduce((a, r) => a + r.seconds[k], 0) / rows.length : Number.NaN;
  const rest = steps.slice(1);
  return {
    title: 'Seconds per GRPO step',
    note: 'generate = reset + sampling in the worker; judge = the env step (the judge runs there); score = reference log-probs in the worker; train = policy forward + backward + AdamW (and the frames to the worker).',
    header: ['steps', ...phases],
    rows: [
      ['all', ...phases.map((k) => mean(steps, k).toFixed(2))],
      ...(rest.length ? [['after the first', ...phases.map((k) => mean(rest, k).toFixed(2))]] : []),
    ].map((r, i) =>
      i === 0
        ? [`${steps.length} (mean)`, ...r.slice(1)]
        : [`${rest.length} (mean)`, ...r.slice(1)],
    ),
  };
}

export function formatTables(
  style: readonly { split: string; before: AnswerStyle; after: AnswerStyle }[],
  seconds: ReportTable,
): ReportTable[] {
  return [
    {
      title: 'Answer style before and after RL (greedy answers)',
      note: 'Length of the raw greedy answer (before answer extraction) and the share that is a single line.',
      header: [
        'split',
        'answers',
        'mean chars before → after',
        'mean words before → after',
        'one-line before → after',
      ],
      rows: style.map((s) => [
        s.split,
        String(s.before.answers),
        `${s.before.meanChars.toFixed(1)} → ${s.after.meanChars.toFixed(1)}`,
        `${s.before.meanWords.toFixed(1)} → ${s.after.meanWords.toFixed(1)}`,
        `${pct(s.before.oneLine)} → ${pct(s.after.oneLine)}`,
      ]),
    },
    seconds,
  ];
}
