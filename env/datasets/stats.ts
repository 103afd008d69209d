/**
 * Summary statistics of a loaded dataset file: what `factrecall data stats` prints.
 */
import type { LoadResult, RowError } from './records.ts';

export interface Distribution {
  min: number;
  median: number;
  mean: number;
  max: number;
}

export interface DatasetStats {
  file: string;
  format: string;
  dataset: string;
  rowsRead: number;
  records: number;
  malformed: number;
  /** The first malformed rows (up to `maxErrors`), in file order. */
  firstErrors: RowError[];
  /** Malformed rows per error code. */
  errorCodes: Record<string, number>;
  answersPerQuestion: Distribution | null;
  /** Question length in characters. */
  questionChars: Distribution | null;
  /** Question length in words (split on whitespace). */
  questionWords: Distribution | null;
  duplicates: {
    /** Distinct question texts. */
    distinctQuestions: number;
    /** Question texts that occur more than once. */
    repeatedQuestions: number;
    /** Rows beyond the first of each repeated question. */
    extraRows: number;
    /** The most repeated questions with their counts (up to 5). */
    top: Array<{ question: string; count: number }>;
  };
}

export function distribution(values: readonly number[]): Distribution | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
  return { min: sorted[0]!, median, mean, max: sorted[sorted.length - 1]! };
}

export function datasetStats(result: LoadResult, opts: { maxErrors?: number } = {}): DatasetStats {
  const counts = new Map<string, number>();
  for (const r of result.records) counts.set(r.question, (counts.get(r.question) ?? 0) + 1);
  const repeated = [...counts].filter(([, n]) => n > 1);
  const errorCodes: Record<string, number> = {};
  for (const e of result.errors) errorCodes[e.code] = (errorCodes[e.code] ?? 0) + 1;
  return {
    file: result.file,
    format: result.format,
    dataset: result.dataset,
    rowsRead: result.rowsRead,
    records: result.records.length,
    malformed: result.errors.length,
    firstErrors: result.errors.slice(0, opts.maxErrors ?? 10),
    errorCodes,
    answersPerQuestion: distribution(result.records.map((r) => r.answers.length)),
    questionChars: distribution(result.records.map((r) => r.question.length)),
    questionWords: distribution(result.records.map((r) => r.question.split(/\s+/).length)),
    duplicates: {
      distinctQuestions: counts.size,
      repeatedQuestions: repeated.length,
      extraRows: repeated.reduce((s, [, n]) => s + n - 1, 0),
      top: repeated
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 5)
        .map(([question, count]) => ({ question, count })),
    },
  };
}

const fmt = (d: Distribution | null) =>
  d ? `min ${d.min}, median ${d.median}, mean ${d.mean.toFixed(1)}, max ${d.max}` : '-';

/** The stats as a readable report. */
export function formatDatasetStats(s: DatasetStats, loadMs?: number): string {
  const lines = [
    `${s.file}`,
    `  format ${s.format}, dataset ${s.dataset}${loadMs === undefined ? '' : `, loaded in ${loadMs.toFixed(0)} ms`}`,
    `  rows read ${s.rowsRead}: ${s.records} loaded, ${s.malformed} malformed`,
  ];
  if (s.malformed > 0) {
    lines.push(
      `  malformed by code: ${Object.entries(s.errorCodes)
        .map(([c, n]) => `${c} ${n}`)
        .join(', ')}`,
    );
    for (const e of s.firstErrors) {
      lines.push(`    line ${e.line} (row ${e.row}): ${e.code}: ${e.message}`);
    }
    if (s.malformed > s.firstErrors.length) {
      lines.push(`    ... and ${s.malformed - s.firstErrors.length} more`);
    }
  }
  lines.push(
    `  answers per question: ${fmt(s.answersPerQuestion)}`,
    `  question length (chars): ${fmt(s.questionChars)}`,
    `  question length (words): ${fmt(s.questionWords)}`,
    `  duplicate questions: ${s.duplicates.repeatedQuestions} texts repeated, ${s.duplicates.extraRows} extra rows (${s.duplicates.distinctQuestions} distinct)`,
  );
  for (const t of s.duplicates.top) lines.push(`    ${t.count}x ${JSON.stringify(t.question)}`);
  return `${lines.join('\n')}\n`;
}
