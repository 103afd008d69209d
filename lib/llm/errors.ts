/**
 * The LLM client's error catalogue (see docs/errors.md). Its users wrap these in their own
 * codes: the LLM judge reports FR_ERR_JUDGE_*, dedup reports FR_ERR_SPLITS_DECIDER_FAILED with
 * the LLM error as its cause.
 */
import { defineErrors } from '../errors.ts';

export const llmError = defineErrors('LLM', {
  FR_ERR_LLM_CONFIG: {
    message: 'LLM client is not configured (it needs a base URL and a model)',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_LLM_CANCELLED: {
    message: 'the LLM request was cancelled by the caller',
    retryable: false,
    grpc: 'CANCELLED',
  },
  FR_ERR_LLM_UNAVAILABLE: {
    message:
      'LLM endpoint unavailable (connection failed, server errors, or circuit open); retry later',
    retryable: true,
    grpc: 'UNAVAILABLE',
  },
  FR_ERR_LLM_RATE_LIMITED: {
    message: 'LLM endpoint is rate limiting (429) beyond the retry budget; retry later',
    retryable: true,
    grpc: 'RESOURCE_EXHAUSTED',
  },
  FR_ERR_LLM_TIMEOUT: {
    message: 'LLM request timed out on every attempt',
    retryable: true,
    grpc: 'DEADLINE_EXCEEDED',
  },
  FR_ERR_LLM_REJECTED: {
    message: 'LLM endpoint rejected the request (check key, model name and request options)',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_LLM_UNPARSEABLE: {
    message:
      'the model replied with something that does not fit the requested schema, on every attempt',
    retryable: false,
    grpc: 'INTERNAL',
  },
  FR_ERR_LLM_CACHE: {
    message: 'LLM answer cache cannot be opened or read (delete the file to start afresh)',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
});
