/**
 * Dataset loaders: every supported file into `QARecord`s (env/types.ts).
 *
 * ```ts
 * import { loadDatasetFile, loadSharedDataset } from '../datasets/index.ts';
 * const { records, errors, rowsRead } = await loadDatasetFile('NQ-open.dev.jsonl');
 * const popqa = await loadSharedDataset('popqa', { popqaCopy: 'hipporag' });
 * ```
 *
 * - Formats (`FormatName`): `nq_open_jsonl`, `triviaqa_json` (official), `triviaqa_dpr_tsv`,
 *   `popqa_tsv` (original), `popqa_hipporag_json`, `popqa_corver_json`, `simpleqa_csv`, and
 *   `hf_parquet` (the Hugging Face schemas listed in formats/parquet.ts). Detected from the
 *   file when not given.
 * - Ids are stable: `<dataset>:<source id>` (PopQA `id`, TriviaQA `QuestionId`) or
 *   `<dataset>:<first 16 hex of sha256(question)>`, with `#2`, `#3`... on repeats in one file.
 * - Answers: gold first where the source marks one, then aliases; trimmed, blanks and
 *   duplicates removed; never empty (a row without one is an error, not a record).
 * - Malformed rows are in `errors` (`RowError`: file, line, code, message) and the load goes
 *   on; a file that is missing or not in the format throws one `FactRecallError`.
 * - Downloads (`fetchDataset`, `factrecall data fetch`) put files in cacheDir('datasets');
 *   `loadDatasetFile` reads them like any other file.
 */
export { DATASET_OF_FORMAT, detectTextFormat } from './detect.ts';
export {
  type ChecksumRecord,
  cachedPath,
  type FetchedFile,
  type FetchOptions,
  fetchDataset,
} from './download/fetchDataset.ts';
export {
  type DownloadOptions,
  type DownloadResult,
  downloadFile,
} from './download/resumableDownload.ts';
export {
  DATASET_SOURCES,
  type DatasetSources,
  type SourceFile,
  selectSources,
  sourceUrl,
} from './download/sources.ts';
export { datasetError, type RowErrorCode } from './errors.ts';
export {
  type LoadOptions,
  loadDatasetFile,
  loadSharedDataset,
  SHARED_FILES,
  type SharedLoadOptions,
  sharedDatasetPath,
} from './load.ts';
export {
  FORMAT_NAMES,
  type FormatName,
  type LoadResult,
  type ProgressCallback,
  type RowError,
} from './records.ts';
export { type DatasetStats, type Distribution, datasetStats, formatDatasetStats } from './stats.ts';
