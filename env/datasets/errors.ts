/**
 * Error catalogue of the dataset loaders and the download code (env/datasets, FactWorld aside).
 *
 * Row codes (`BAD_JSON`, `MISSING_QUESTION`, ...) label one malformed row in a load result's
 * `errors`; the load goes on. File codes (`FILE_NOT_FOUND`, `NOT_FORMAT`, ...) are thrown: the
 * whole file cannot be read as asked.
 */
import { defineErrors } from '../../lib/errors.ts';

export const datasetError = defineErrors('DATASET', {
  FR_ERR_DATASET_FILE_NOT_FOUND: {
    message: 'dataset file not found (run `factrecall data fetch <name>` or check the path)',
    retryable: false,
    grpc: 'NOT_FOUND',
  },
  FR_ERR_DATASET_UNKNOWN_FORMAT: {
    message: 'cannot tell the format of this dataset file; pass --format explicitly',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_DATASET_NOT_FORMAT: {
    message: 'the file is not in the format it was read as',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_DATASET_UNKNOWN_NAME: {
    message: 'unknown dataset name',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_DATASET_BAD_OPTION: {
    message: 'bad option value',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_DATASET_BAD_JSON: {
    message: 'row is not valid JSON',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_DATASET_BAD_LITERAL: {
    message: 'field is not a valid Python literal (list/dict of strings and numbers)',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_DATASET_BAD_CSV: {
    message: 'row breaks CSV quoting rules (unclosed quote, or text after a closing quote)',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_DATASET_WRONG_COLUMNS: {
    message: 'row has the wrong number of columns',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_DATASET_MISSING_QUESTION: {
    message: 'row has no question text',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_DATASET_MISSING_ANSWER: {
    message: 'row has no gold answer (missing or empty answer list)',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_DATASET_BAD_FIELD: {
    message: 'row has a field of the wrong type',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_DATASET_PARQUET_UNREADABLE: {
    message: 'parquet file could not be read (corrupt, or a compression codec hyparquet lacks)',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_DATASET_NO_SOURCE: {
    message: 'no download source for this dataset file',
    retryable: false,
    grpc: 'NOT_FOUND',
  },
  FR_ERR_DATASET_DOWNLOAD_FAILED: {
    message: 'download failed after retries (network or server error); running again resumes it',
    retryable: true,
    grpc: 'UNAVAILABLE',
  },
  FR_ERR_DATASET_HTTP_STATUS: {
    message: 'download refused by the server (HTTP status that a retry cannot fix)',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_DATASET_BUSY: {
    message: 'another process is downloading this file; try again when it is done',
    retryable: true,
    grpc: 'ABORTED',
  },
  FR_ERR_DATASET_CHECKSUM_MISMATCH: {
    message: 'downloaded file does not match its known checksum; it was discarded',
    retryable: false,
    grpc: 'DATA_LOSS',
  },
  FR_ERR_DATASET_WRITE_FAILED: {
    message:
      'cannot write the downloaded bytes to disk (full or read-only); the .part is kept, and running again after fixing the disk resumes it',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
});

/** Codes that label one malformed row (the rest are file-level and thrown). */
export type RowErrorCode =
  | 'FR_ERR_DATASET_BAD_JSON'
  | 'FR_ERR_DATASET_BAD_LITERAL'
  | 'FR_ERR_DATASET_BAD_CSV'
  | 'FR_ERR_DATASET_WRONG_COLUMNS'
  | 'FR_ERR_DATASET_MISSING_QUESTION'
  | 'FR_ERR_DATASET_MISSING_ANSWER'
  | 'FR_ERR_DATASET_BAD_FIELD';
