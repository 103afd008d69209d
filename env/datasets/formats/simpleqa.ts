/**
 * SimpleQA (OpenAI simple-evals) CSV: header `metadata,problem,answer`, where `metadata` is a
 * Python-literal dict `{'topic', 'answer_type', 'urls'}`. The renamed header of some copies
 * (`metadata,question,true_answer`) is read too. No ids: the question hash is used.
 */
import { isBadRecord, parseDelimited } from '../csv.ts';
import { datasetError } from '../errors.ts';
import { PyLiteralError, parsePyLiteral } from '../pyLiteral.ts';
import { isPlainObject, type RecordCollector } from '../records.ts';

const HEADERS = [
  ['metadata', 'problem', 'answer'],
  ['metadata', 'question', 'true_answer'],
];

/** The SimpleQA `metadata` field as meta, or the reason it is malformed. */
export function simpleqaMeta(metadata: string):
  | { ok: true; meta: Record<string, unknown> }
  | {
      ok: false;
      code: 'FR_ERR_DATASET_BAD_LITERAL' | 'FR_ERR_DATASET_BAD_FIELD';
      message: string;
    } {
  let parsed: unknown;
  try {
    parsed = parsePyLiteral(metadata);
  } catch (e) {
    if (!(e instanceof PyLiteralError)) throw e;
    return { ok: false, code: 'FR_ERR_DATASET_BAD_LITERAL', message: `metadata: ${e.message}` };
  }
  if (!isPlainObject(parsed)) {
    return { ok: false, code: 'FR_ERR_DATASET_BAD_FIELD', message: 'metadata is not a dict' };
  }
  return { ok: true, meta: parsed };
}

export function isSimpleqaHeader(fields: readonly string[]): boolean {
  return HEADERS.some(
    (h) => h.length === fields.length && h.every((name, i) => fields[i] === name),
  );
}

export function parseSimpleqaCsv(text: string, out: RecordCollector): void {
  const rows = parseDelimited(text);
  const header = rows[0];
  if (!header || isBadRecord(header) || !isSimpleqaHeader(header.fields)) {
    throw datasetError(
      'FR_ERR_DATASET_NOT_FORMAT',
      `${out.file}: header is not "metadata,problem,answer" (SimpleQA CSV)`,
    );
  }
  out.setTotal(rows.length - 1);
  for (const row of rows.slice(1)) {
    if (isBadRecord(row)) {
      out.fail(row.line, 'FR_ERR_DATASET_BAD_CSV', row.error);
      continue;
    }
    if (row.fields.length !== 3) {
      out.fail(
        row.line,
        'FR_ERR_DATASET_WRONG_COLUMNS',
        `expected 3 columns, got ${row.fields.length}`,
      );
      continue;
    }
    const [metadata, problem, answer] = row.fields as [string, string, string];
    const parsed = simpleqaMeta(metadata);
    if (!parsed.ok) {
      out.fail(row.line, parsed.code, parsed.message);
      continue;
    }
    out.add(row.line, { question: problem, answers: [answer], meta: parsed.meta });
  }
}
