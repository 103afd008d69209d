/**
 * TriviaQA, in its two common shapes.
 *
 * - Official JSON (`{"Data": [{"Question", "QuestionId", "Answer": {"Value", "Aliases",
 *   "NormalizedAliases", ...}}, ...]}`): answers are the gold `Value` then `Aliases`; the
 *   normalised aliases stay in `meta` for TriviaQA-style scoring. Evidence (EntityPages,
 *   SearchResults) is left out: it is bulky and not needed for closed-book recall.
 * - DPR's tab-separated form (`trivia-test.qa.csv`, anserini `topics.dpr.trivia.*.txt`): no
 *   header, question TAB Python-literal list of aliases, CSV quoting. No ids: the question hash
 *   is used.
 */
import { isBadRecord, parseDelimited } from '../csv.ts';
import { datasetError } from '../errors.ts';
import { arrayElementLines } from '../jsonPositions.ts';
import { PyLiteralError, parsePyLiteral } from '../pyLiteral.ts';
import { asList, isPlainObject, type RecordCollector } from '../records.ts';

export function parseTriviaqaJson(text: string, out: RecordCollector): void {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw datasetError(
      'FR_ERR_DATASET_NOT_FORMAT',
      `${out.file}: not JSON (${(e as Error).message})`,
    );
  }
  const data = isPlainObject(root) ? asList(root.Data) : undefined;
  if (!data) {
    throw datasetError('FR_ERR_DATASET_NOT_FORMAT', `${out.file}: no "Data" list (TriviaQA JSON)`);
  }
  const lines = arrayElementLines(text, 'Data');
  out.setTotal(data.length);
  data.forEach((item, i) => {
    const line = lines[i] ?? 0;
    if (!isPlainObject(item)) {
      out.fail(line, 'FR_ERR_DATASET_BAD_FIELD', `Data[${i}] is not an object`);
      return;
    }
    const answer = isPlainObject(item.Answer) ? item.Answer : undefined;
    const aliases = asList(answer?.Aliases) ?? [];
    const meta: Record<string, unknown> = {};
    if (answer?.NormalizedAliases !== undefined) meta.normalizedAliases = answer.NormalizedAliases;
    if (answer?.Type !== undefined) meta.answerType = answer.Type;
    if (item.QuestionSource !== undefined) meta.questionSource = item.QuestionSource;
    out.add(line, {
      sourceId: typeof item.QuestionId === 'string' ? item.QuestionId : undefined,
      question: item.Question,
      answers: [answer?.Value, ...aliases],
      meta,
    });
  });
}

/** A CSV field that was quoted twice (705 questions of DPR's TriviaQA test file). */
const REQUOTED = /^"((?:[^"]|"")*)"$/;

export function parseTriviaqaDprTsv(text: string, out: RecordCollector): void {
  const rows = parseDelimited(text, { delimiter: '\t' });
  out.setTotal(rows.length);
  for (const row of rows) {
    if (isBadRecord(row)) {
      out.fail(row.line, 'FR_ERR_DATASET_BAD_CSV', row.error);
      continue;
    }
    if (row.fields.length !== 2) {
      out.fail(
        row.line,
        'FR_ERR_DATASET_WRONG_COLUMNS',
        `expected 2 tab-separated columns (question, answers), got ${row.fields.length}`,
      );
      continue;
    }
    let answers: unknown;
    try {
      answers = parsePyLiteral(row.fields[1]!);
    } catch (e) {
      if (!(e instanceof PyLiteralError)) throw e;
      out.fail(row.line, 'FR_ERR_DATASET_BAD_LITERAL', `answers: ${e.message}`);
      continue;
    }
    if (!Array.isArray(answers)) {
      out.fail(row.line, 'FR_ERR_DATASET_BAD_FIELD', 'answers column is not a list');
      continue;
    }
    // DPR's writer quoted some questions twice; Python's csv.reader removes one layer only,
    // leaving `"...""Bomb Plot""..."`. Remove the second layer and say so in meta.
    let question = row.fields[0]!;
    const meta: Record<string, unknown> = {};
    const requoted = REQUOTED.exec(question);
    if (requoted) {
      question = requoted[1]!.replaceAll('""', '"');
      meta.requoted = true;
    }
    out.add(row.line, { question, answers, meta });
  }
}
