/**
 * A predictions file checked against a pinned test split: JSON lines `{"id", "answer"}`, every
 * question of the split answered exactly once. Everything wrong is reported at once (bad
 * lines, unknown, duplicate and missing ids, each list capped at LIST_CAP with its full count),
 * never the first problem only. Answers go through the env's `direct` extraction (first line,
 * labels and quotes stripped, capped at MAX_ANSWER_CHARS), so an upload is graded exactly as
 * the same text sent to the env would be.
 */
import { EXTRACTION_VERSION, extractAnswer } from '../env/extract.ts';
import { PredictionLine } from './api-schema.ts';
import { boardError } from './errors.ts';
import type { PinnedSplit } from './pinned.ts';

/** The env's default maxAnswerChars. */
export const MAX_ANSWER_CHARS = 200;
/** How each answer was turned into what the judge grades; stored with the submission. */
export const EXTRACTION = `direct/v${EXTRACTION_VERSION}/${MAX_ANSWER_CHARS}`;
const LIST_CAP = 50;

export interface CheckedPrediction {
  questionId: string;
  part: 0 | 1;
  answer: string;
}

interface Problems {
  badLines: Array<{ line: number; message: string }>;
  unknownIds: string[];
  duplicateIds: string[];
  missingIds: string[];
}

function capped(list: readonly unknown[]): { count: number; first: unknown[] } {
  return { count: list.length, first: list.slice(0, LIST_CAP) };
}

function refuse(p: Problems, split: PinnedSplit): never {
  const parts = [
    p.badLines.length &&
      `${p.badLines.length} bad lines (first: line ${p.badLines[0]!.line}: ${p.badLines[0]!.message})`,
    p.unknownIds.length && `${p.unknownIds.length} unknown ids`,
    p.duplicateIds.length && `${p.duplicateIds.length} duplicate ids`,
    p.missingIds.length && `${p.missingIds.length} of ${split.records.size} questions missing`,
  ].filter(Boolean);
  throw boardError('FR_ERR_LEADERBOARD_BAD_PREDICTIONS', `${split.dataset}: ${parts.join('; ')}`, {
    details: {
      dataset: split.dataset,
      questions: split.records.size,
      badLines: capped(p.badLines),
      unknownIds: capped(p.unknownIds),
      duplicateIds: capped(p.duplicateIds),
      missingIds: capped(p.missingIds),
    },
  });
}

/** Check already-parsed (id, answer) pairs; `extract` false for answers the env extracted. */
export function checkAnswers(
  split: PinnedSplit,
  pairs: ReadonlyArray<{ id: string; answer: string }>,
  opts: { extract: boolean; badLines?: Problems['badLines'] },
): CheckedPrediction[] {
  const p: Problems = {
    badLines: opts.badLines ?? [],
    unknownIds: [],
    duplicateIds: [],
    missingIds: [],
  };
  const seen = new Set<string>();
  const out: CheckedPrediction[] = [];
  for (const { id, answer } of pairs) {
    const part = split.part.get(id);
    if (part === undefined) {
      p.unknownIds.push(id);
      continue;
    }
    if (seen.has(id)) {
      p.duplicateIds.push(id);
      continue;
    }
    seen.add(id);
    const text = opts.extract ? extractAnswer('direct', answer, MAX_ANSWER_CHARS).text : answer;
    out.push({ questionId: id, part, answer: text });
  }
  for (const id of split.records.keys()) if (!seen.has(id)) p.missingIds.push(id);
  if (p.badLines.length || p.unknownIds.length || p.duplicateIds.length || p.missingIds.length) {
    refuse(p, split);
  }
  return out;
}

/** Parse and check a predictions file's text. */
export function checkPredictions(split: PinnedSplit, text: string): CheckedPrediction[] {
  const badLines: Problems['badLines'] = [];
  const pairs: Array<{ id: string; answer: string }> = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      badLines.push({ line: i + 1, message: 'not JSON' });
      return;
    }
    const parsed = PredictionLine.safeParse(raw);
    if (!parsed.success) {
      const why = parsed.error.issues.map((x) => `${x.path.join('.') || 'line'}: ${x.message}`);
      badLines.push({ line: i + 1, message: why.join('; ') });
      return;
    }
    pairs.push(parsed.data);
  });
  return checkAnswers(split, pairs, { extract: true, badLines });
}
