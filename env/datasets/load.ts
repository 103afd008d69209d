/**
 * One entry point for every dataset file: detect the format, parse, map to `QARecord`s.
 */
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isFactRecallError } from '../../lib/errors.ts';
import { sharedDatasetsDir } from '../../lib/paths.ts';
import { DATASET_NAMES, type DatasetName } from '../types.ts';
import { DATASET_OF_FORMAT, detectTextFormat, looksLikeParquet } from './detect.ts';
import { datasetError } from './errors.ts';
import { parseNqOpenJsonl } from './formats/nqOpen.ts';
import { parseParquetFile } from './formats/parquet.ts';
import { parsePopqaCorverJson, parsePopqaHipporagJson, parsePopqaTsv } from './formats/popqa.ts';
import { parseSimpleqaCsv } from './formats/simpleqa.ts';
import { parseTriviaqaDprTsv, parseTriviaqaJson } from './formats/triviaqa.ts';
import {
  FORMAT_NAMES,
  type FormatName,
  type LoadResult,
  type ProgressCallback,
  RecordCollector,
} from './records.ts';

export interface LoadOptions {
  /** Skip detection and read the file as this format. */
  format?: FormatName;
  /** Label records with this dataset (default: the format's own dataset). */
  dataset?: DatasetName;
  /** Called every 1,000 rows and at the end: rows done, rows in the file. */
  onProgress?: ProgressCallback;
}

type TextParser = (text: string, out: RecordCollector) => void;

const TEXT_PARSERS: Record<Exclude<FormatName, 'hf_parquet'>, TextParser> = {
  nq_open_jsonl: parseNqOpenJsonl,
  triviaqa_json: parseTriviaqaJson,
  triviaqa_dpr_tsv: parseTriviaqaDprTsv,
  popqa_tsv: parsePopqaTsv,
  popqa_hipporag_json: parsePopqaHipporagJson,
  popqa_corver_json: parsePopqaCorverJson,
  simpleqa_csv: parseSimpleqaCsv,
};

/**
 * Load one dataset file into records.
 *
 * Malformed rows never stop the load: each is in `errors` with its line and a row code, and
 * `records.length + errors.length === rowsRead`. The whole call throws a `FactRecallError`
 * only when the file as a whole cannot be read as asked: missing (`FR_ERR_DATASET_FILE_NOT_FOUND`),
 * of no known format (`FR_ERR_DATASET_UNKNOWN_FORMAT`), not the format given or detected
 * (`FR_ERR_DATASET_NOT_FORMAT`, e.g. a CSV without the SimpleQA header), or an unreadable
 * parquet file (`FR_ERR_DATASET_PARQUET_UNREADABLE`).
 */
export async function loadDatasetFile(path: string, opts: LoadOptions = {}): Promise<LoadResult> {
  if (opts.format !== undefined && !FORMAT_NAMES.includes(opts.format)) {
    throw datasetError(
      'FR_ERR_DATASET_UNKNOWN_FORMAT',
      `${opts.format} (known: ${FORMAT_NAMES.join(', ')})`,
    );
  }
  if (opts.dataset !== undefined && !DATASET_NAMES.includes(opts.dataset)) {
    throw datasetError('FR_ERR_DATASET_UNKNOWN_NAME', opts.dataset);
  }
  const head = await readHead(path);
  const collector = (dataset: DatasetName) => new RecordCollector(path, dataset, opts.onProgress);

  if (opts.format === 'hf_parquet' || (opts.format === undefined && looksLikeParquet(path, head))) {
    const out = await parseParquetFile(path, collector, opts.dataset);
    return out.result('hf_parquet');
  }
  const text = await readFile(path, 'utf8').catch((e: unknown) => {
    throw datasetError('FR_ERR_DATASET_NOT_FORMAT', `${path}: ${(e as Error).message}`, {
      cause: e,
    });
  });
  const format = opts.format ?? detectTextFormat(path, text);
  if (format === undefined || format === 'hf_parquet') {
    throw datasetError(
      'FR_ERR_DATASET_UNKNOWN_FORMAT',
      `${path} (known: ${FORMAT_NAMES.join(', ')})`,
    );
  }
  const out = collector(opts.dataset ?? DATASET_OF_FORMAT[format]);
  try {
    TEXT_PARSERS[format](text, out);
  } catch (e) {
    if (isFactRecallError(e)) throw e;
    throw datasetError(
      'FR_ERR_DATASET_NOT_FORMAT',
      `${path} as ${format}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  return out.result(format);
}

/** The first bytes of a file, or FR_ERR_DATASET_FILE_NOT_FOUND. */
async function readHead(path: string): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw datasetError('FR_ERR_DATASET_FILE_NOT_FOUND', path, { details: { file: path } });
    }
    throw datasetError('FR_ERR_DATASET_NOT_FORMAT', `${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  try {
    const buf = new Uint8Array(8);
    const { bytesRead } = await handle.read(buf, 0, 8, 0);
    return buf.subarray(0, bytesRead);
  } catch (e) {
    throw datasetError('FR_ERR_DATASET_NOT_FORMAT', `${path}: ${(e as Error).message}`, {
      cause: e,
    });
  } finally {
    await handle.close();
  }
}

/** The real files in sharedDatasetsDir() (see ../shared/datasets/README.md). */
export const SHARED_FILES = {
  nq_open: 'nq_open/NQ-open.dev.jsonl',
  triviaqa: 'triviaqa/topics.dpr.trivia.test.txt',
  popqa: 'popqa/corver_popqa_test.json',
  popqa_hipporag: 'popqa/hipporag2_popqa.json',
  simpleqa: 'simpleqa/simple_qa_test_set.csv',
} as const;

export interface SharedLoadOptions extends Pick<LoadOptions, 'onProgress'> {
  /**
   * PopQA only: which copy. `corver` (default) has all 14,267 rows but only question and
   * answers; `hipporag` has 1,000 rows with all 17 columns (s_pop, prop, subj...).
   */
  popqaCopy?: 'corver' | 'hipporag';
}

/** Path of the shared real file for a dataset. */
export function sharedDatasetPath(
  name: Exclude<DatasetName, 'factworld'>,
  opts: Pick<SharedLoadOptions, 'popqaCopy'> = {},
): string {
  const rel =
    name === 'popqa' && opts.popqaCopy === 'hipporag'
      ? SHARED_FILES.popqa_hipporag
      : SHARED_FILES[name];
  return join(sharedDatasetsDir(), rel);
}

/**
 * Load a dataset's real file from the shared folder: NQ-open dev (3,610), TriviaQA unfiltered
 * dev in DPR form (11,313), PopQA (CorVer copy 14,267, or HippoRAG copy 1,000), SimpleQA (4,326).
 */
export async function loadSharedDataset(
  name: DatasetName,
  opts: SharedLoadOptions = {},
): Promise<LoadResult> {
  if (name === 'factworld' || !DATASET_NAMES.includes(name)) {
    throw datasetError(
      'FR_ERR_DATASET_UNKNOWN_NAME',
      `${name}: shared real files exist for nq_open, triviaqa, popqa, simpleqa`,
    );
  }
  const loadOpts: LoadOptions = { dataset: name };
  if (opts.onProgress) loadOpts.onProgress = opts.onProgress;
  return loadDatasetFile(sharedDatasetPath(name, opts), loadOpts);
}
