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
  FR_ERR_JUDGE_CONFIG: {
    message:
      'LLM judge is not configured (set a base URL and model: options, or OPENAI_BASE_URL and FACTRECALL_JUDGE_MODEL)',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_JUDGE_UNAVAILABLE: {
    message:
      'judge endpoint unavailable (connection failed, server errors, or circuit open); retry later',
    retryable: true,
    grpc: 'UNAVAILABLE',
  },
  FR_ERR_JUDGE_RATE_LIMITED: {
    message: 'judge endpoint is rate limiting (429) beyond the retry budget; retry later',
    retryable: true,
    grpc: 'RESOURCE_EXHAUSTED',
  },
  FR_ERR_JUDGE_TIMEOUT: {
    message: 'judge request timed out on every attempt',
    retryable: true,
    grpc: 'DEADLINE_EXCEEDED',
  },
  FR_ERR_JUDGE_REJECTED: {
    message: 'judge endpoint rejected the request (check key, model name and request options)',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_JUDGE_UNPARSEABLE: {
    message:
      'judge model replied with something that is not a valid structured verdict, on every attempt',
    retryable: false,
    grpc: 'INTERNAL',
  },
  FR_ERR_JUDGE_CACHE: {
    message: 'verdict cache cannot be opened or read (delete the file to start afresh)',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_JUDGE_PANEL_TIE: {
    message: 'judge panel tied and its tie rule is to fail',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_JUDGE_LABELS_INVALID: {
    message:
      'labels file is malformed (one JSON object per line: question, answers, prediction, label)',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
});
