/**
 * PopQA (Mallen et al. 2023) in three shapes, all mapped by one row function.
 *
 * - The original `popQA.tsv` (header; 17 columns; `possible_answers`, `s_aliases`, `o_aliases`
 *   are JSON list strings) and the Hugging Face `akariasai/PopQA` rows (same columns).
 * - HippoRAG 2's `popqa.json`: a JSON array of the same 17 columns plus `paragraphs`
 *   (Wikipedia passages, dropped here: bulky and not for closed-book use).
 * - CorVer's `popqa_test.json`: every row but only `{question, answer, aliases}`; no ids, so
 *   the question hash is used (PopQA repeats some questions: those get `#2`, `#3`...).
 *
 * Three PopQA questions have an empty subject ("Who is the author of ?"). They are real rows
 * of the dataset and are kept, flagged `meta.emptySubject`.
 */
import { isBadRecord, parseDelimited } from '../csv.ts';
import { datasetError } from '../errors.ts';
import { arrayElementLines } from '../jsonPositions.ts';
import { asList, isPlainObject, type RawRecord, type RecordCollector } from '../records.ts';

export const POPQA_COLUMNS = [
  'id',
  'subj',
  'prop',
  'obj',
  'subj_id',
  'prop_id',
  'obj_id',
  's_aliases',
  'o_aliases',
  's_uri',
  'o_uri',
  's_wiki_title',
  'o_wiki_title',
  's_pop',
  'o_pop',
  'question',
  'possible_answers',
] as const;

const NUMERIC = new Set(['id', 'subj_id', 'prop_id', 'obj_id', 's_pop', 'o_pop']);
const JSON_LISTS = new Set(['s_aliases', 'o_aliases', 'possible_answers']);

/** A question whose subject slot is empty, e.g. "Who is the author of ?". */
const EMPTY_SUBJECT = /\s\?$/;

/**
 * One PopQA row (17 columns, values as strings or numbers) as a raw record, or the reason it
 * is malformed. List columns may be JSON strings or already lists.
 */
export function popqaRowToRaw(
  row: Record<string, unknown>,
): RawRecord | { code: 'FR_ERR_DATASET_BAD_JSON' | 'FR_ERR_DATASET_BAD_FIELD'; message: string } {
  const meta: Record<string, unknown> = {};
  let answers: unknown[] = [];
  for (const col of POPQA_COLUMNS) {
    if (col === 'question' || col === 'id') continue;
    let value = row[col];
    if (JSON_LISTS.has(col) && typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch (e) {
        return { code: 'FR_ERR_DATASET_BAD_JSON', message: `${col}: ${(e as Error).message}` };
      }
    }
    if (JSON_LISTS.has(col) && value !== undefined && value !== null && !Array.isArray(value)) {
      return { code: 'FR_ERR_DATASET_BAD_FIELD', message: `${col} is not a list` };
    }
    if (NUMERIC.has(col) && typeof value === 'string' && value.trim() !== '') {
      const n = Number(value);
      if (!Number.isFinite(n)) {
        return { code: 'FR_ERR_DATASET_BAD_FIELD', message: `${col} is not a number` };
      }
      value = n;
    }
    if (typeof value === 'bigint') value = Number(value);
    if (col === 'possible_answers') answers = asList(value) ?? [];
    else if (value !== undefined) meta[col] = value;
  }
  if (meta.subj === '') meta.emptySubject = true;
  const id = typeof row.id === 'bigint' ? Number(row.id) : row.id;
  return {
    sourceId: typeof id === 'number' || typeof id === 'string' ? id : undefined,
    question: row.question,
    answers,
    meta,
  };
}

function addPopqaRow(out: RecordCollector, line: number, row: Record<string, unknown>): void {
  const raw = popqaRowToRaw(row);
  if ('code' in raw) out.fail(line, raw.code, raw.message);
  else out.add(line, raw);
}

export function parsePopqaTsv(text: string, out: RecordCollector): void {
  const rows = parseDelimited(text, { delimiter: '\t' });
  const header = rows[0];
  if (!header || isBadRecord(header) || !header.fields.includes('question')) {
    throw datasetError('FR_ERR_DATASET_NOT_FORMAT', `${out.file}: no PopQA TSV header`);
  }
  const names = header.fields.map((f) => (f === '' ? 'index' : f));
  for (const required of ['question', 'possible_answers']) {
    if (!names.includes(required)) {
      throw datasetError('FR_ERR_DATASET_NOT_FORMAT', `${out.file}: header lacks ${required}`);
    }
  }
  out.setTotal(rows.length - 1);
  for (const row of rows.slice(1)) {
    if (isBadRecord(row)) {
      out.fail(row.line, 'FR_ERR_DATASET_BAD_CSV', row.error);
      continue;
    }
    if (row.fields.length !== names.length) {
      out.fail(
        row.line,
        'FR_ERR_DATASET_WRONG_COLUMNS',
        `expected ${names.length} columns as in the header, got ${row.fields.length}`,
      );
      continue;
    }
    addPopqaRow(out, row.line, Object.fromEntries(names.map((n, i) => [n, row.fields[i]])));
  }
}

function parseJsonArray(text: string, out: RecordCollector): unknown[] {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw datasetError(
      'FR_ERR_DATASET_NOT_FORMAT',
      `${out.file}: not JSON (${(e as Error).message})`,
    );
  }
  if (!Array.isArray(root)) {
    throw datasetError('FR_ERR_DATASET_NOT_FORMAT', `${out.file}: not a JSON array of rows`);
  }
  out.setTotal(root.length);
  return root;
}

export function parsePopqaHipporagJson(text: string, out: RecordCollector): void {
  const rows = parseJsonArray(text, out);
  const lines = arrayElementLines(text);
  rows.forEach((row, i) => {
    const line = lines[i] ?? 0;
    if (!isPlainObject(row))
      out.fail(line, 'FR_ERR_DATASET_BAD_FIELD', `row ${i} is not an object`);
    else addPopqaRow(out, line, row);
  });
}

export function parsePopqaCorverJson(text: string, out: RecordCollector): void {
  const rows = parseJsonArray(text, out);
  const lines = arrayElementLines(text);
  rows.forEach((row, i) => {
    const line = lines[i] ?? 0;
    if (!isPlainObject(row)) {
      out.fail(line, 'FR_ERR_DATASET_BAD_FIELD', `row ${i} is not an object`);
      return;
    }
    if (row.aliases !== undefined && !Array.isArray(row.aliases)) {
      out.fail(line, 'FR_ERR_DATASET_BAD_FIELD', '`aliases` is not a list');
      return;
    }
    const meta: Record<string, unknown> = {};
    if (typeof row.question === 'string' && EMPTY_SUBJECT.test(row.question)) {
      meta.emptySubject = true;
    }
    out.add(line, {
      question: row.question,
      answers: [row.answer, ...((row.aliases as unknown[] | undefined) ?? [])],
      meta,
    });
  });
}
