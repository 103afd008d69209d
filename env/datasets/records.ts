/**
 * The shared result shape of every loader, and the collector that turns raw rows into
 * `QARecord`s: validation, stable ids, and one `RowError` per malformed row.
 */
import { sha256 } from '../../lib/hash.ts';
import type { DatasetName, QARecord } from '../types.ts';
import type { RowErrorCode } from './errors.ts';

/** The file formats the loaders read. */
export const FORMAT_NAMES = [
  'nq_open_jsonl',
  'triviaqa_json',
  'triviaqa_dpr_tsv',
  'popqa_tsv',
  'popqa_hipporag_json',
  'popqa_corver_json',
  'simpleqa_csv',
  'hf_parquet',
] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

/** One malformed row: where it is and what is wrong. The row is not in `records`. */
export interface RowError {
  file: string;
  /** 1-based line where the row starts (for parquet: the row number). */
  line: number;
  /**
   * 1-based position among the file's data rows (header and blank lines not counted): the
   * place to look in a one-line (minified) JSON file, where every line is 1.
   */
  row: number;
  code: RowErrorCode;
  message: string;
}

export interface LoadResult {
  /** Good rows, in file order. */
  records: QARecord[];
  /** Malformed rows, in file order; `records.length + errors.length === rowsRead`. */
  errors: RowError[];
  /** Data rows seen (header and blank lines excluded). */
  rowsRead: number;
  file: string;
  format: FormatName;
  dataset: DatasetName;
}

/** Called now and then while a file loads: rows done so far, of `total` (when known). */
export type ProgressCallback = (done: number, total: number) => void;

/** What a format parser hands over for one good-looking row. */
export interface RawRecord {
  /** The source's own id, when it has one (PopQA `id`, TriviaQA `QuestionId`). */
  sourceId?: string | number;
  question: unknown;
  /** Gold answer first where the source marks one; duplicates and blanks are removed here. */
  answers: unknown[];
  meta?: Record<string, unknown>;
}

/** Hex digits of the question hash in ids without a source id (64 bits). */
const HASH_LENGTH = 16;

/**
 * Collects rows into records and errors. Ids are `<dataset>:<source id>` or
 * `<dataset>:<sha256(question)[:16]>`; a repeated id gets `#2`, `#3`... in file order, so ids
 * are unique within a file and the same on every load.
 */
export class RecordCollector {
  readonly records: QARecord[] = [];
  readonly errors: RowError[] = [];
  rowsRead = 0;
  private readonly seen = new Map<string, number>();

  constructor(
    readonly file: string,
    readonly dataset: DatasetName,
    private readonly onProgress?: ProgressCallback,
    private total = 0,
  ) {}

  /** Set the row count once the parser knows it (for progress). */
  setTotal(total: number): void {
    this.total = total;
  }

  add(line: number, raw: RawRecord): void {
    this.rowsRead++;
    this.tick();
    if (typeof raw.question !== 'string' || raw.question.trim() === '') {
      this.reject(line, 'FR_ERR_DATASET_MISSING_QUESTION', 'question is missing or empty');
      return;
    }
    const answers: string[] = [];
    for (const a of raw.answers) {
      if (a === null || a === undefined) continue;
      if (typeof a !== 'string' && !(typeof a === 'number' && Number.isFinite(a))) {
        this.reject(
          line,
          'FR_ERR_DATASET_BAD_FIELD',
          `answer ${JSON.stringify(a)} is not a string`,
        );
        return;
      }
      const text = String(a).trim();
      if (text !== '' && !answers.includes(text)) answers.push(text);
    }
    if (answers.length === 0) {
      this.reject(line, 'FR_ERR_DATASET_MISSING_ANSWER', 'no non-empty gold answer');
      return;
    }
    const question = raw.question.trim();
    const base =
      raw.sourceId !== undefined && raw.sourceId !== ''
        ? `${this.dataset}:${raw.sourceId}`
        : `${this.dataset}:${sha256(question).slice(0, HASH_LENGTH)}`;
    const n = (this.seen.get(base) ?? 0) + 1;
    this.seen.set(base, n);
    this.records.push({
      id: n === 1 ? base : `${base}#${n}`,
      dataset: this.dataset,
      question,
      answers,
      meta: raw.meta ?? {},
    });
  }

  /** Count a malformed row and say why. */
  fail(line: number, code: RowErrorCode, message: string): void {
    this.rowsRead++;
    this.tick();
    this.reject(line, code, message);
  }

  private reject(line: number, code: RowErrorCode, message: string): void {
    this.errors.push({ file: this.file, line, row: this.rowsRead, code, message });
  }

  private tick(): void {
    if (this.onProgress && (this.rowsRead % 1000 === 0 || this.rowsRead === this.total)) {
      this.onProgress(this.rowsRead, this.total);
    }
  }

  result(format: FormatName): LoadResult {
    return {
      records: this.records,
      errors: this.errors,
      rowsRead: this.rowsRead,
      file: this.file,
      format,
      dataset: this.dataset,
    };
  }
}

/** `value` as a list, or undefined when it is not one. */
export function asList(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
