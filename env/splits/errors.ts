/** The splits part's error catalogue: preparing, deduplicating and loading splits (docs/errors.md). */
import { defineErrors } from '../../lib/errors.ts';

export const splitsError = defineErrors('SPLITS', {
  FR_ERR_SPLITS_INVALID_OPTIONS: {
    message: 'invalid split preparation options',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_SPLITS_TOO_FEW_RECORDS: {
    message:
      'the source has fewer questions than the requested split sizes (lower --train-size / --val-size)',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_SPLITS_SOURCE_INVALID: {
    message:
      'a source file has rows that could not be loaded (fix the file, or pass --skip-bad-rows to record and skip them)',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_SPLITS_NOT_PREPARED: {
    message: 'no prepared splits found (run `factrecall data prepare --dataset <name>` first)',
    retryable: false,
    grpc: 'NOT_FOUND',
  },
  FR_ERR_SPLITS_MANIFEST_INVALID: {
    message: 'the split manifest is malformed or its own hash does not match its content',
    retryable: false,
    grpc: 'DATA_LOSS',
  },
  FR_ERR_SPLITS_HASH_MISMATCH: {
    message:
      'a split file does not match the sha256 in its manifest (re-run `data prepare`, or pass force to load it anyway, which is recorded)',
    retryable: false,
    grpc: 'DATA_LOSS',
  },
  FR_ERR_SPLITS_FILE_INVALID: {
    message: 'a prepared split file has a line that is not a valid question record',
    retryable: false,
    grpc: 'DATA_LOSS',
  },
  FR_ERR_SPLITS_DECIDER_FAILED: {
    message:
      'the containment decider failed on some candidate pairs; decisions made so far are kept in the decision log and a re-run resumes from it',
    retryable: true,
    grpc: 'UNAVAILABLE',
  },
  FR_ERR_SPLITS_CANCELLED: {
    message:
      'split preparation was cancelled; decisions made so far are kept in the decision log and a re-run resumes from it',
    retryable: false,
    grpc: 'CANCELLED',
  },
  FR_ERR_SPLITS_LLM_NOT_CONFIGURED: {
    message:
      'the LLM containment decider needs an endpoint and a model (--llm-base-url and --llm-model, or use --decider heuristic)',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
});
