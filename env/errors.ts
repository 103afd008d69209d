/**
 * The env's coded errors. Every code has a row in docs/errors.md.
 */
import { defineErrors } from '../lib/errors.ts';

export const envError = defineErrors('ENV', {
  FR_ERR_ENV_BAD_ID: {
    message: 'environment ids look like Name-vN (for example FactRecall-v0)',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_ENV_UNKNOWN_ID: {
    message: 'no environment is registered under this id',
    retryable: false,
    grpc: 'NOT_FOUND',
  },
  FR_ERR_ENV_ALREADY_REGISTERED: {
    message: 'an environment is already registered under this id; bump its version instead',
    retryable: false,
    grpc: 'ALREADY_EXISTS',
  },
  FR_ERR_ENV_BAD_OPTIONS: {
    message: 'invalid environment options',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_ENV_BAD_SOURCE: {
    message: 'the split source is malformed',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_ENV_EMPTY_SPLIT: {
    message: 'the source has no questions in this split',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_ENV_BAD_RESET: {
    message: 'invalid reset request',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_ENV_BAD_BATCH: {
    message: 'invalid step batch; nothing in it was applied',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_ENV_DUPLICATE_EPISODE: {
    message: 'an episode appears twice in one step batch; nothing in it was applied',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_ENV_UNKNOWN_EPISODE: {
    message:
      'no episode with this id was issued by this environment; nothing in the batch was applied',
    retryable: false,
    grpc: 'NOT_FOUND',
  },
  FR_ERR_ENV_EPISODE_DONE: {
    message:
      'this episode was already answered (one answer per episode); nothing in the batch was applied',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_ENV_EPISODE_EXPIRED: {
    message: 'this episode expired unanswered (see episodeTtlMs); nothing in the batch was applied',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_ENV_EPISODE_CLOSED: {
    message: 'this episode was closed unanswered; nothing in the batch was applied',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_ENV_GOLD_FORBIDDEN: {
    message: 'gold answers are only given for episodes of the train split',
    retryable: false,
    grpc: 'PERMISSION_DENIED',
  },
  FR_ERR_ENV_CLOSED: {
    message: 'the environment is closed',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_ENV_UNKNOWN_QUESTION: {
    message: 'no question with this id in the split',
    retryable: false,
    grpc: 'NOT_FOUND',
  },
  FR_ERR_ENV_JUDGE_FAILED: {
    message: 'the judge gave no verdict (reward null, never 0)',
    retryable: true,
    grpc: 'UNAVAILABLE',
  },
});
