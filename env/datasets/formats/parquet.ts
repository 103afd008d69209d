/**
 * Hugging Face parquet files (read with hyparquet) mapped to records. Supported schemas:
 *
 * | dataset  | HF repository                          | columns used                                    |
 * |----------|----------------------------------------|-------------------------------------------------|
 * | nq_open  | google-research-datasets/nq_open       | question, answer (list<str>)                    |
 * | triviaqa | mandarjoshi90/trivia_qa (*.nocontext)  | question, question_id, question_source, answer (struct: value, aliases, normalized_aliases, type) |
 * | popqa    | akariasai/PopQA                        | the 17 columns of popQA.tsv                     |
 * | simpleqa | basicv8vc/SimpleQA                     | metadata (Python-literal str), problem, answer  |
 *
 * `line` in errors is the 1-based row number. hyparquet decodes snappy itself; gzip and brotli
 * are decoded with node:zlib, and zstd too where Node has it (22.15+). Another codec (lz4...)
 * is refused with FR_ERR_DATASET_PARQUET_UNREADABLE.
 */
import * as zlib from 'node:zlib';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import type { DatasetName } from '../../types.ts';
import { datasetError } from '../errors.ts';
import { asList, isPlainObject, type RecordCollector } from '../records.ts';
import { POPQA_COLUMNS, popqaRowToRaw } from './popqa.ts';
import { simpleqaMeta } from './simpleqa.ts';

type Decompress = (input: Uint8Array, outputLength: number) => Uint8Array;

/** Codecs hyparquet lacks, from node:zlib. */
export const ZLIB_COMPRESSORS: Record<string, Decompress> = {
  GZIP: (input) => new Uint8Array(zlib.gunzipSync(input)),
  BROTLI: (input) => new Uint8Array(zlib.brotliDecompressSync(input)),
};
const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Uint8Array) => Buffer })
  .zstdDecompressSync;
if (zstd) ZLIB_COMPRESSORS.ZSTD = (input) => new Uint8Array(zstd(input));

/** Top-level columns read per dataset (evidence columns are skipped: big and unused). */
const COLUMNS: Record<Exclude<DatasetName, 'factworld'>, readonly string[]> = {
  nq_open: ['question', 'answer'],
  triviaqa: ['question', 'question_id', 'question_source', 'answer'],
  popqa: POPQA_COLUMNS,
  simpleqa: ['metadata', 'problem', 'answer'],
};

/** Which dataset a parquet schema holds, from its top-level column names. */
export function datasetOfParquetColumns(columns: readonly string[]): DatasetName | undefined {
  const has = (c: string) => columns.includes(c);
  if (has('possible_answers') && has('s_pop')) return 'popqa';
  if (has('question_id') && has('answer')) return 'triviaqa';
  if (has('problem') && has('metadata')) return 'simpleqa';
  if (has('question') && has('answer')) return 'nq_open';
  return undefined;
}

/** Map one parquet row of `dataset` into the collector. */
export function addParquetRow(
  out: RecordCollector,
  dataset: DatasetName,
  line: number,
  row: Record<string, unknown>,
): void {
  switch (dataset) {
    case 'nq_open': {
      const answer = asList(row.answer);
      if (row.answer != null && !answer) {
        out.fail(line, 'FR_ERR_DATASET_BAD_FIELD', '`answer` is not a list');
        return;
      }
      out.add(line, { question: row.question, answers: answer ?? [] });
      return;
    }
    case 'triviaqa': {
      const answer = isPlainObject(row.answer) ? row.answer : undefined;
      const meta: Record<string, unknown> = {};
      if (answer?.normalized_aliases != null) meta.normalizedAliases = answer.normalized_aliases;
      if (answer?.type != null) meta.answerType = answer.type;
      if (row.question_source != null) meta.questionSource = row.question_source;
      // The HF test split has no answers (value "<unk>", empty aliases): those rows are
      // reported as missing answers, not loaded with a fake gold.
      const value = answer?.value === '<unk>' ? undefined : answer?.value;
      out.add(line, {
        sourceId: typeof row.question_id === 'string' ? row.question_id : undefined,
        question: row.question,
        answers: [value, ...(asList(answer?.aliases) ?? [])],
        meta,
      });
      return;
    }
    case 'popqa': {
      const raw = popqaRowToRaw(row);
      if ('code' in raw) out.fail(line, raw.code, raw.message);
      else out.add(line, raw);
      return;
    }
    case 'simpleqa': {
      const parsed = simpleqaMeta(String(row.metadata ?? ''));
      if (!parsed.ok) out.fail(line, parsed.code, parsed.message);
      else out.add(line, { question: row.problem, answers: [row.answer], meta: parsed.meta });
      return;
    }
    case 'factworld':
      throw datasetError('FR_ERR_DATASET_UNKNOWN_NAME', 'factworld has no parquet form');
  }
}

/** Read a parquet file into the collector; `dataset` is detected from the columns when omitted. */
export async function parseParquetFile(
  path: string,
  makeCollector: (dataset: DatasetName) => RecordCollector,
  dataset?: DatasetName,
): Promise<RecordCollector> {
  let rows: Array<Record<string, unknown>>;
  let which: DatasetName | undefined = dataset;
  try {
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    const topLevel = topLevelColumns(metadata.schema);
    which ??= datasetOfParquetColumns(topLevel);
    if (!which || which === 'factworld') {
      throw datasetError(
        'FR_ERR_DATASET_UNKNOWN_FORMAT',
        `${path}: parquet columns [${topLevel.join(', ')}] match no supported schema`,
      );
    }
    const columns = COLUMNS[which].filter((c) => topLevel.includes(c));
    rows = await parquetReadObjects({ file, metadata, columns, compressors: ZLIB_COMPRESSORS });
  } catch (e) {
    if (e instanceof Error && e.name === 'FactRecallError') throw e;
    throw datasetError('FR_ERR_DATASET_PARQUET_UNREADABLE', `${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const out = makeCollector(which);
  out.setTotal(rows.length);
  for (const [i, row] of rows.entries()) addParquetRow(out, which, i + 1, row);
  return out;
}

/** Names of the root's direct children in a flattened parquet schema (walks num_children). */
function topLevelColumns(schema: ReadonlyArray<{ name: string; num_children?: number }>): string[] {
  const names: string[] = [];
  for (let i = 1; i < schema.length; i = skipSubtree(schema, i)) names.push(schema[i]!.name);
  return names;
}

/** Index just past the subtree rooted at schema element `i`. */
function skipSubtree(schema: ReadonlyArray<{ num_children?: number }>, i: number): number {
  let next = i + 1;
  for (let c = 0; c < (schema[i]?.num_children ?? 0); c++) next = skipSubtree(schema, next);
  return next;
}
