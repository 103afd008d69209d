/** The judges' error catalogue (see docs/errors.md). */
import { defineErrors } from '../lib/errors.ts';

export const judgeError = defineErrors('JUDGE', {
  FR_ERR_JUDGE_INVALID_ITEM: {
    message:
      'judge item is malformed (needs a question string, a non-empty list of answer strings and a prediction string)',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_JUDGE_INVALID_SPEC: {
    message:
      "unknown or malformed judge spec (use 'exact', 'contains', 'llm', 'panel' or {kind, options})",
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_JUDGE_CANCELLED: {
    message: 'judging was cancelled by the caller',
    retryable: false,
    grpc: 'CANCELLED',
  },
});
