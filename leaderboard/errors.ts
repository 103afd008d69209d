/**
 * The leaderboard's error catalogue (see docs/errors.md and docs/leaderboard.md). Every HTTP
 * error the server sends is `{error: {code, message, retryable, retryAfterMs?, details?}}`
 * with the status of HTTP_STATUS below.
 */
import { defineErrors } from '../lib/errors.ts';

export const boardError = defineErrors('LEADERBOARD', {
  FR_ERR_LEADERBOARD_UNAUTHENTICATED: {
    message: 'missing, malformed, unknown or revoked token (send Authorization: Bearer <token>)',
    retryable: false,
    grpc: 'UNAUTHENTICATED',
  },
  FR_ERR_LEADERBOARD_FORBIDDEN: {
    message:
      'this token may not do this (admin routes need the admin token; a run belongs to the team that ran it)',
    retryable: false,
    grpc: 'PERMISSION_DENIED',
  },
  FR_ERR_LEADERBOARD_BAD_REQUEST: {
    message: 'request body or query does not match the route schema (see docs/leaderboard.md)',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_LEADERBOARD_BAD_PREDICTIONS: {
    message:
      'predictions do not answer the pinned test split exactly once per question; details list bad lines and unknown, duplicate and missing ids',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_LEADERBOARD_TOO_LARGE: {
    message: 'request body is over the size limit of this server (see GET /v1/info)',
    retryable: false,
    grpc: 'RESOURCE_EXHAUSTED',
  },
  FR_ERR_LEADERBOARD_UNKNOWN_DATASET: {
    message: 'no test split of this dataset is pinned on this leaderboard (see GET /v1/info)',
    retryable: false,
    grpc: 'NOT_FOUND',
  },
  FR_ERR_LEADERBOARD_QUOTA: {
    message:
      "the team's submission quota for the current window is used up; retryAfterMs says when one frees",
    retryable: true,
    grpc: 'RESOURCE_EXHAUSTED',
  },
  FR_ERR_LEADERBOARD_RATE_LIMITED: {
    message: 'too many requests from this token or address; wait retryAfterMs',
    retryable: true,
    grpc: 'RESOURCE_EXHAUSTED',
  },
  FR_ERR_LEADERBOARD_NOT_FOUND: {
    message: 'no such submission, team, token, route or eval run',
    retryable: false,
    grpc: 'NOT_FOUND',
  },
  FR_ERR_LEADERBOARD_CONFLICT: {
    message: 'already exists (a team name, or an eval run already submitted)',
    retryable: false,
    grpc: 'ALREADY_EXISTS',
  },
  FR_ERR_LEADERBOARD_RUN_UNUSABLE: {
    message:
      'the eval run cannot be a submission: abandoned, not on the pinned split, or not one answer for every test question',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_LEADERBOARD_SCORING_FAILED: {
    message:
      'the judge gave no verdict for some answers after every retry; the submission is marked failed (never scored 0) and does not count against the quota',
    retryable: false,
    grpc: 'UNAVAILABLE',
  },
  FR_ERR_LEADERBOARD_BAD_CONFIG: {
    message:
      'leaderboard configuration is invalid (the message names the option and how to fix it)',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_LEADERBOARD_DATABASE: {
    message: 'the leaderboard database cannot be opened, or was made by another schema version',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_LEADERBOARD_UNREACHABLE: {
    message: 'the leaderboard server did not answer (down, wrong URL, or a network error)',
    retryable: true,
    grpc: 'UNAVAILABLE',
  },
  FR_ERR_LEADERBOARD_INTERNAL: {
    message: 'internal leaderboard error (a bug: please report it)',
    retryable: false,
    grpc: 'INTERNAL',
  },
});

export type BoardErrorCode = keyof typeof boardError.catalogue;

/** The HTTP status each code is sent with. */
export const HTTP_STATUS: Record<BoardErrorCode, number> = {
  FR_ERR_LEADERBOARD_UNAUTHENTICATED: 401,
  FR_ERR_LEADERBOARD_FORBIDDEN: 403,
  FR_ERR_LEADERBOARD_BAD_REQUEST: 400,
  FR_ERR_LEADERBOARD_BAD_PREDICTIONS: 400,
  FR_ERR_LEADERBOARD_TOO_LARGE: 413,
  FR_ERR_LEADERBOARD_UNKNOWN_DATASET: 404,
  FR_ERR_LEADERBOARD_QUOTA: 429,
  FR_ERR_LEADERBOARD_RATE_LIMITED: 429,
  FR_ERR_LEADERBOARD_NOT_FOUND: 404,
  FR_ERR_LEADERBOARD_CONFLICT: 409,
  FR_ERR_LEADERBOARD_RUN_UNUSABLE: 422,
  FR_ERR_LEADERBOARD_SCORING_FAILED: 500,
  FR_ERR_LEADERBOARD_BAD_CONFIG: 500,
  FR_ERR_LEADERBOARD_DATABASE: 500,
  FR_ERR_LEADERBOARD_UNREACHABLE: 503,
  FR_ERR_LEADERBOARD_INTERNAL: 500,
};
