/** The GRPO coordinator's error catalogue: config, run directory, checkpoints, the loop (see docs/errors.md). */
import { defineErrors } from '../../../lib/errors.ts';

export const trainError = defineErrors('TRAIN', {
  FR_ERR_TRAIN_CONFIG_INVALID: {
    message:
      'training config is invalid (unknown key, wrong type or out-of-range value); see `factrecall train --help` and cuda-agent/coordinator/training/config.ts',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_TRAIN_CONFIG_UNREADABLE: {
    message: 'training config file cannot be read or is not valid JSON',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_TRAIN_CHECKPOINT_MISSING: {
    message: 'no usable checkpoint to resume from',
    retryable: false,
    grpc: 'NOT_FOUND',
  },
  FR_ERR_TRAIN_CHECKPOINT_CORRUPT: {
    message:
      'checkpoint is unreadable or was written by a different config; start a new run or resume with the same config',
    retryable: false,
    grpc: 'DATA_LOSS',
  },
  FR_ERR_TRAIN_BATCH_MISMATCH: {
    message:
      'the env answered a batch that does not match what was sent (missing, extra or repeated episodes)',
    retryable: false,
    grpc: 'INTERNAL',
  },
  FR_ERR_TRAIN_DEADLINE: {
    message:
      'a call to the env or the worker did not answer within its deadline, after every retry',
    retryable: true,
    grpc: 'DEADLINE_EXCEEDED',
  },
  FR_ERR_TRAIN_INTERRUPTED: {
    message: 'training was interrupted (SIGINT); a checkpoint was written, resume with --resume',
    retryable: false,
    grpc: 'CANCELLED',
  },
  FR_ERR_TRAIN_ENV_UNAVAILABLE: {
    message:
      'every env server failed the request (connection lost, deadline, overload); check that the servers in env.urls are up',
    retryable: true,
    grpc: 'UNAVAILABLE',
  },
  FR_ERR_TRAIN_ENDPOINTS_MISMATCH: {
    message:
      'the env servers in env.urls serve different envs (fingerprint or split sizes differ): give them the same data, judge and prompt',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_TRAIN_PRETRAIN_FAILED: {
    message: 'pretraining the tiny FactWorld model failed',
    retryable: false,
    grpc: 'INTERNAL',
  },
  FR_ERR_TRAIN_RECIPE_UNKNOWN: {
    message: 'no such training recipe; the recipes are grpo, sft, rft, dpo',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_TRAIN_ANALYSIS_UNKNOWN: {
    message:
      'no such analysis; `factrecall analyze` knows passk, buckets, attribution, pgold, transitions',
    retryable: false,
    grpc: 'INVALID_ARGUMENT',
  },
  FR_ERR_TRAIN_RUN_MODEL_MISMATCH: {
    message:
      'the comparison in this folder was made from another pretrained model than the cached one (pretrained again, e.g. on another machine): its phases would mix two models',
    retryable: false,
    grpc: 'FAILED_PRECONDITION',
  },
  FR_ERR_TRAIN_RUN_UNREADABLE: {
    message:
      'the run folder holds no readable comparison results (results.json from `factrecall compare`), or lacks what this analysis needs',
    retryable: false,
    grpc: 'NOT_FOUND',
  },
});
